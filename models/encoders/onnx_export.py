"""Turning the packaged MiniLM into an int8 ONNX model, once, into a cache directory.

The int8 encoder must start without torch, so the conversion (which needs torch, transformers, onnx and
onnxruntime's quantiser) happens ahead of serving: at build time with ``leadlist export-onnx`` or on the
first start that finds no export. Each export lives in a folder named after a digest of the weights, so
changed weights never reuse a stale model, and it is written to a temporary folder and renamed into
place, so replicas starting together on one volume never read a half-written model.

Quantisation is dynamic (weights int8 ahead of time, activations quantised per batch at run time) and
per output channel: per-tensor weight scales cost too much accuracy on MiniLM's attention projections.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any

from models.encoders.weights import DEFAULT_MODEL_NAME, default_model_dir, model_max_tokens

# ONNX opset of the exported graph: 18 is what torch's exporter emits natively, and onnxruntime runs it.
OPSET = 18
# What the folder holds; bump when the export recipe changes so old caches are not reused.
RECIPE = "int8-dynamic-per-channel-v1"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
METADATA_FILE = "encoder.json"
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")


def default_cache_dir() -> Path:
    """The user cache (``$XDG_CACHE_HOME/leadlist``, else ``~/.cache/leadlist``): writable without root."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "leadlist"


def export_dir(cache_dir: Path, model_path: Path | None = None) -> Path:
    """Where the int8 export of ``model_path`` (default: the packaged model) lives under ``cache_dir``."""
    model_dir = model_path or default_model_dir()
    return cache_dir / f"{_model_name(model_path)}-{_weights_digest(model_dir)}-{RECIPE}"


def is_exported(folder: Path) -> bool:
    return all((folder / name).is_file() for name in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE))


def ensure_exported(cache_dir: Path, model_path: Path | None = None) -> Path:
    """The export folder for ``model_path`` (default: the packaged model), exporting it when missing."""
    folder = export_dir(cache_dir, model_path)
    if not is_exported(folder):
        export_int8(model_path or default_model_dir(), folder, name=_model_name(model_path))
    return folder


def export_int8(model_dir: Path, destination: Path, name: str) -> None:
    """Export ``model_dir`` to ONNX, quantise it to int8 and move the result to ``destination``."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=destination.parent) as scratch:
        work = Path(scratch)
        fp32 = work / "fp32.onnx"
        metadata = _export_fp32(model_dir, fp32)
        metadata["onnxruntime"] = _quantise(fp32, work / MODEL_FILE, work)
        fp32.unlink()
        shutil.copyfile(model_dir / TOKENIZER_FILE, work / TOKENIZER_FILE)
        metadata["name"] = name
        (work / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
        staged = work / "result"
        staged.mkdir()
        for item in (MODEL_FILE, TOKENIZER_FILE, METADATA_FILE):
            (work / item).rename(staged / item)
        try:
            staged.rename(destination)
        except OSError:
            # Another process finished the same export first; its copy is as good as ours.
            if not is_exported(destination):
                raise


def _export_fp32(model_dir: Path, path: Path) -> dict[str, Any]:
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
    model = AutoModel.from_pretrained(str(model_dir), local_files_only=True).eval()

    class HiddenStates(torch.nn.Module):
        """Only input_ids and attention_mask reach the model (transformers 5 takes many optional inputs)."""

        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            hidden: torch.Tensor = self.inner(input_ids=input_ids, attention_mask=attention_mask)[0]
            return hidden

    sample = tokenizer(
        ["A sample sentence to trace the encoder with.", "A shorter one."],
        padding=True,
        return_tensors="pt",
    )
    batch = torch.export.Dim("batch")
    tokens = torch.export.Dim("tokens", max=int(model.config.max_position_embeddings))
    exporter_log = logging.getLogger("torch.onnx")
    level = exporter_log.level
    with warnings.catch_warnings():
        # The exporter narrates its passes (warnings, log lines about optional torchvision ops) in ways
        # that say nothing about the result; the quality checks on the output are what count.
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", FutureWarning)
        exporter_log.setLevel(logging.ERROR)
        try:
            torch.onnx.export(
                HiddenStates(model),
                (sample["input_ids"], sample["attention_mask"]),
                str(path),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_shapes={"input_ids": {0: batch, 1: tokens}, "attention_mask": {0: batch, 1: tokens}},
                opset_version=OPSET,
                dynamo=True,
                external_data=False,
                verbose=False,
            )
        finally:
            exporter_log.setLevel(level)
    return {
        "max_tokens": model_max_tokens(model_dir),
        "dimension": int(model.config.hidden_size),
        "pad_token": str(tokenizer.pad_token),
        "pad_token_id": int(tokenizer.pad_token_id),
        "opset": OPSET,
        "recipe": RECIPE,
        "torch": torch.__version__,
    }


def _quantise(fp32: Path, int8: Path, work: Path) -> str:
    """Quantise ``fp32`` into ``int8``; returns the onnxruntime version that did it."""
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from onnxruntime.quantization.shape_inference import quant_pre_process

    prepared = work / "prepared.onnx"
    # Constant folding and shape inference first, as onnxruntime's quantiser recommends.
    quant_pre_process(str(fp32), str(prepared), skip_symbolic_shape=True)
    # Signed int8 weights with unsigned activations (U8S8) is the pair MLAS has VNNI kernels for.
    quantize_dynamic(str(prepared), str(int8), per_channel=True, weight_type=QuantType.QInt8)
    prepared.unlink()
    return str(onnxruntime.__version__)


def _model_name(model_path: Path | None) -> str:
    return model_path.name if model_path else DEFAULT_MODEL_NAME


def _weights_digest(model_dir: Path) -> str:
    """A short content digest of the weights and config, so the cache key follows what the model is."""
    digest = hashlib.sha256()
    for name in ("config.json", *WEIGHT_FILES):
        path = model_dir / name
        if path.is_file():
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 22):
                    digest.update(chunk)
    return digest.hexdigest()[:16]
