"""Building a summariser by name, so the service and the CLI choose models through one setting."""

from __future__ import annotations

from pathlib import Path

from models.encoder import SentenceEncoder
from models.summariser import Summariser

MODEL_NAMES = ("extractive",)
# torch: the fp32 reference. onnx-int8: the same model quantised to int8, run without torch.
ENCODER_NAMES = ("torch", "onnx-int8")


def load_summariser(
    name: str,
    model_path: Path | None = None,
    threads: int | None = None,
    encoder: str = "torch",
    cache_dir: Path | None = None,
) -> Summariser:
    """Load the named summariser; fails loudly (ValueError, FileNotFoundError) on a bad name or path."""
    if name == "extractive":
        from models.extractive import ExtractiveSummariser
        from models.ranker import RankerParams, SentenceRanker

        sentence_encoder = load_encoder(encoder, model_path, threads, cache_dir)
        return ExtractiveSummariser(sentence_encoder, SentenceRanker(RankerParams.load()))
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")


def load_encoder(
    encoder: str, model_path: Path | None = None, threads: int | None = None, cache_dir: Path | None = None
) -> SentenceEncoder:
    """The sentence encoder by backend name; onnx-int8 exports into ``cache_dir`` on first use."""
    if encoder == "torch":
        from models.encoder import TransformerSentenceEncoder

        return TransformerSentenceEncoder(model_path, threads=threads)
    if encoder == "onnx-int8":
        from models.onnx_encoder import OnnxSentenceEncoder
        from models.onnx_export import default_cache_dir, ensure_exported

        folder = ensure_exported(cache_dir or default_cache_dir(), model_path)
        return OnnxSentenceEncoder(folder, threads=threads)
    raise ValueError(f"unknown encoder {encoder!r}; expected one of {', '.join(ENCODER_NAMES)}")
