"""The science of leadlist: text cleaning, sentence splitting, encoders, rankers and summarisers.

Importable and testable without a web server; nothing here imports ``service``.
"""

from models.document import Bullet, Document, Job, ModelInfo, Summary, Usage
from models.loading import MODEL_NAMES, load_summariser
from models.summariser import Summariser, summarise

__all__ = [
    "MODEL_NAMES",
    "Bullet",
    "Document",
    "Job",
    "ModelInfo",
    "Summariser",
    "Summary",
    "Usage",
    "load_summariser",
    "summarise",
]
