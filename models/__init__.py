"""The science of leadlist: text cleaning, sentence splitting, encoders, rankers and summarisers.

Importable and testable without a web server; nothing here imports ``service``. This module is the
surface the service uses; the subpackages say what each part of the science is:

- ``models.text``: story sentences with offsets, chunks for a window, what counts as a word, a web
  page's article mapped back into its HTML, offsets in a caller's unit, the text's language;
- ``models.encoders``: the sentence-encoder protocol, the torch and ONNX engines, their padding;
- ``models.generators``: local text generators and their decoding settings;
- ``models.extractive``: the default summariser and its ranker (with the fitted parameters);
- ``models.abstractive``: the generator summariser and its grounding guard;
- ``models.quality``: offline evaluation and ranker fitting, which the server never imports.
"""

from models.document import Bullet, Document, Job, ModelInfo, Summary, Usage
from models.encoders.onnx_export import default_cache_dir, ensure_exported, export_dir, is_exported
from models.encoders.protocol import Padding
from models.generators.generation import MAX_BEAMS, MAX_NEW_TOKENS, GenerationConfig
from models.generators.generator import ModelLoadError
from models.loading import ENCODER_NAMES, MODEL_NAMES, load_encoder, load_summariser
from models.summariser import ReportsPadding, Summariser, summarise
from models.text.html_article import Article, extract_article
from models.text.language import detect_language, load_language_model
from models.text.markup import looks_like_html
from models.text.offsets import OFFSET_UNITS, OffsetConverter, OffsetUnit, encode_for
from models.text.segmentation import title_line
from models.warnings import HTML_EXTRACTED, WARNING_CODES, SummaryWarning, input_warnings, summary_warnings

__all__ = [
    "ENCODER_NAMES",
    "HTML_EXTRACTED",
    "MAX_BEAMS",
    "MAX_NEW_TOKENS",
    "MODEL_NAMES",
    "OFFSET_UNITS",
    "WARNING_CODES",
    "Article",
    "Bullet",
    "Document",
    "GenerationConfig",
    "Job",
    "ModelInfo",
    "ModelLoadError",
    "OffsetConverter",
    "OffsetUnit",
    "Padding",
    "ReportsPadding",
    "Summariser",
    "Summary",
    "SummaryWarning",
    "Usage",
    "default_cache_dir",
    "detect_language",
    "encode_for",
    "ensure_exported",
    "export_dir",
    "extract_article",
    "input_warnings",
    "is_exported",
    "load_encoder",
    "load_language_model",
    "load_summariser",
    "looks_like_html",
    "summarise",
    "summary_warnings",
    "title_line",
]
