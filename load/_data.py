"""Where the shared data sets live: ``../shared`` beside the repository, never copied into it.

Every tool and test that reads shared data goes through here, so a checkout without the folder skips
cleanly (or falls back to generated articles) instead of failing.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
CNN_DEV = SHARED / "data" / "cnn_dev.jsonl"
XSUM_DEV = SHARED / "data" / "xsum_dev.jsonl"


def shared_path(relative: str) -> Path | None:
    """``../shared/<relative>`` when this checkout has it beside it, else None."""
    path = SHARED / relative
    return path if path.exists() else None


def shown(path: Path) -> str:
    """How a shared file is named in what the tools print: relative to the repository, not the machine."""
    return f"../shared/{path.relative_to(SHARED)}" if path.is_relative_to(SHARED) else str(path)
