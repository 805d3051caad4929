"""The int8 sentence encoder: MiniLM exported to ONNX, run by onnxruntime, with no torch in the process.

It reads the folder ``models.encoders.onnx_export`` writes (int8 model, tokenizer, metadata) and needs only
tokenizers, onnxruntime and numpy, which is what lets the ONNX path start fast and stay small. Pooling
matches the torch encoder (mean over real tokens, then L2 norm), so the two are interchangeable.

Activations are quantised per batch at run time, so a sentence's vector moves slightly (well inside the
ranker's tolerance) with the batch it is computed in; the torch encoder is exact to float rounding.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models.encoders.onnx_export import METADATA_FILE, MODEL_FILE, TOKENIZER_FILE
from models.encoders.padding import TokenIds, encode_in_passes, pad_batch
from models.encoders.protocol import Embeddings, Padding


class OnnxSentenceEncoder:
    """Mean-pooled, L2-normalised MiniLM embeddings from an int8 ONNX model on the CPU."""

    runtime = "ONNX Runtime (CPU, int8)"

    def __init__(self, folder: Path, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        metadata = json.loads((folder / METADATA_FILE).read_text())
        self.folder = folder
        self.name = f"{metadata['name']}-int8"
        self.max_tokens = int(metadata["max_tokens"])
        self.dimension = int(metadata["dimension"])
        self._pad_id = int(metadata["pad_token_id"])
        self.last_padding = Padding(0, 0)
        # Counting must see every token (the truncation flag depends on it); encoding sees the window only.
        self._counter = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._counter.no_truncation()
        self._counter.no_padding()
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.no_padding()  # batches are padded here, to their own longest member

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or 0  # 0: one per physical core
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        # The arena keeps the peak of the largest batch ever seen for the life of the process, and
        # turning it off costs no measurable speed: give memory back instead.
        options.enable_cpu_mem_arena = False
        self._session = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )

    @property
    def providers(self) -> list[str]:
        return list(self._session.get_providers())

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._counter.encode_batch(list(texts), add_special_tokens=True)
        return [len(item.ids) for item in encoded]

    def encode(self, texts: Sequence[str]) -> Embeddings:
        encoded = self._tokenizer.encode_batch(list(texts), add_special_tokens=True) if texts else []
        out, self.last_padding = encode_in_passes(
            [item.ids for item in encoded], self.dimension, self._encode_batch
        )
        return out

    def _encode_batch(self, token_ids: TokenIds) -> Embeddings:
        input_ids, mask = pad_batch(token_ids, self._pad_id)
        hidden: npt.NDArray[np.float32] = self._session.run(
            None, {"input_ids": input_ids, "attention_mask": mask}
        )[0]
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)
