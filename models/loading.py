"""Building a summariser by name, so the service and the CLI choose models through one setting."""

from __future__ import annotations

from pathlib import Path

from models.encoders.protocol import SentenceEncoder
from models.generators.generation import GenerationConfig
from models.summariser import Summariser

MODEL_NAMES = ("extractive", "seq2seq", "causal")
# torch: the fp32 reference. onnx-int8: the same model quantised to int8, run without torch.
ENCODER_NAMES = ("torch", "onnx-int8")


def load_summariser(
    name: str,
    model_path: Path | None = None,
    threads: int | None = None,
    generation: GenerationConfig | None = None,
    *,
    encoder: str = "torch",
    cache_dir: Path | None = None,
) -> Summariser:
    """Load the named summariser; fails loudly (ValueError, FileNotFoundError, ModelLoadError) on a bad
    name or path.

    ``extractive`` reads ``model_path`` as a sentence-encoder directory (unset: the embedded MiniLM) and
    runs it on the ``encoder`` backend; ``seq2seq`` and ``causal`` read it as the generator's weights and
    always use the embedded MiniLM on torch for the grounding guard and the reducer (they need torch).
    """
    from models.extractive.ranker import SentenceRanker

    if encoder not in ENCODER_NAMES:
        raise ValueError(f"unknown encoder {encoder!r}; expected one of {', '.join(ENCODER_NAMES)}")
    if name == "extractive":
        from models.extractive.summariser import ExtractiveSummariser

        sentence_encoder = load_encoder(encoder, model_path, threads, cache_dir)
        return ExtractiveSummariser(sentence_encoder, SentenceRanker.load())
    if name in ("seq2seq", "causal"):
        from models.abstractive.summariser import AbstractiveSummariser
        from models.encoders.torch_encoder import TransformerSentenceEncoder
        from models.generators.generator import load_generator

        generator = load_generator(name, model_path, threads)
        grounding = TransformerSentenceEncoder(threads=threads)
        return AbstractiveSummariser(
            generator, grounding, SentenceRanker.load(), generation or GenerationConfig()
        )
    raise ValueError(f"unknown model {name!r}; expected one of {', '.join(MODEL_NAMES)}")


def load_encoder(
    encoder: str, model_path: Path | None = None, threads: int | None = None, cache_dir: Path | None = None
) -> SentenceEncoder:
    """The sentence encoder by backend name; onnx-int8 exports into ``cache_dir`` on first use."""
    if encoder == "torch":
        from models.encoders.torch_encoder import TransformerSentenceEncoder

        return TransformerSentenceEncoder(model_path, threads=threads)
    if encoder == "onnx-int8":
        from models.encoders.onnx_encoder import OnnxSentenceEncoder
        from models.encoders.onnx_export import default_cache_dir, ensure_exported

        folder = ensure_exported(cache_dir or default_cache_dir(), model_path)
        return OnnxSentenceEncoder(folder, threads=threads)
    raise ValueError(f"unknown encoder {encoder!r}; expected one of {', '.join(ENCODER_NAMES)}")
