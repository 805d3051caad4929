"""The documentation stays true to the code: every setting is documented and only real ones, the README
stays a short front door that links to them, links resolve, and load tools are shown as modules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from service.settings import Settings
from tests.support.paths import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "load" / "README.md"]


def test_configuration_lists_every_setting_and_only_real_ones() -> None:
    documented = set(re.findall(r"`(LEADLIST_[A-Z_]+)`", (ROOT / "docs" / "configuration.md").read_text()))
    settings = {f"LEADLIST_{name.upper()}" for name in Settings.model_fields}
    assert documented == settings


def test_readme_is_a_short_front_door_that_links_to_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 200
    assert "(docs/configuration.md)" in readme
    for name in re.findall(r"`(LEADLIST_[A-Z_]+)`", readme):
        assert name.removeprefix("LEADLIST_").lower() in Settings.model_fields, name


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_relative_links_resolve(doc: Path) -> None:
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", doc.read_text()):
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


@pytest.mark.parametrize("doc", DOCS, ids=[str(d.relative_to(ROOT)) for d in DOCS])
def test_load_tools_are_run_as_modules(doc: Path) -> None:
    assert not re.search(r"python3? load/\w+\.py", doc.read_text())
