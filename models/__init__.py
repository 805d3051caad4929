"""The science of leadlist: text cleaning, sentence splitting, encoders, rankers and summarisers.

Importable and testable without a web server; nothing here imports ``service``. This module is the
surface the service uses; the subpackages say what each part of the science is:

- ``models.text``: story sentences with offsets, chunks for a window, what counts as a word;
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
from models.text.segmentation import title_line

__all__ = [
    "ENCODER_NAMES",
    "MAX_BEAMS",
    "MAX_NEW_TOKENS",
    "MODEL_NAMES",
    "Bullet",
    "Document",
    "GenerationConfig",
    "Job",
    "ModelInfo",
    "ModelLoadError",
    "Padding",
    "ReportsPadding",
    "Summariser",
    "Summary",
    "Usage",
    "default_cache_dir",
    "ensure_exported",
    "export_dir",
    "is_exported",
    "load_encoder",
    "load_summariser",
    "summarise",
    "title_line",
]
