"""The layering holds: ``models`` never imports ``service``, and ``service`` reaches the science only
through what ``models/__init__`` exports, with the offline quality work imported inside the commands
that need it, never when a module loads."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import models
from tests.support.paths import ROOT


def imports(path: Path) -> Iterator[tuple[str, list[str], bool]]:
    """(module, imported names, at module level) for every import statement in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            yield node.module, [alias.name for alias in node.names], id(node) in top_level
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, [], id(node) in top_level


def test_models_never_imports_service() -> None:
    for path in sorted((ROOT / "models").rglob("*.py")):
        for module, _, _ in imports(path):
            assert not module.startswith("service"), f"{path.relative_to(ROOT)} imports {module}"


def test_service_uses_only_the_models_surface() -> None:
    for path in sorted((ROOT / "service").rglob("*.py")):
        where = path.relative_to(ROOT)
        for module, names, top_level in imports(path):
            if module == "models":
                unknown = set(names) - set(models.__all__)
                assert not unknown, f"{where} imports {sorted(unknown)}, not exported by models/__init__"
            elif module == "models.quality":
                assert not top_level, f"{where} imports models.quality when it loads"
            else:
                assert not module.startswith("models"), f"{where} imports {module}"


@pytest.mark.live
def test_serving_modules_load_without_the_quality_work() -> None:
    probe = (
        "import sys, service.app, service.cli\n"
        "print(any(name.startswith('models.quality') for name in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, timeout=120
    )
    assert result.stdout.strip() == "False"
