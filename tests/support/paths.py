"""Where the tests find the repository's files and the shared data beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from load._data import SHARED, shared_path

ROOT = Path(__file__).resolve().parents[2]


def shared_file(relative: str) -> Path:
    """A file under ../shared, or a clean skip when this checkout has no shared folder beside it."""
    path = shared_path(relative)
    if path is None:
        expected = SHARED / relative
        pytest.skip(f"{relative} is not available (expected at {expected}); skipping the tests that read it")
    return path
