"""Offline quality work: ROUGE evaluation, fitting the ranker, and the embedding cache both use.

The server never imports this package; the ``leadlist eval`` and ``leadlist train-ranker`` commands
import it inside the functions that run them, so ``rouge-score``, ``sumy`` and ``tqdm`` (the ``eval``
extra) stay out of a serving process.
"""

from models.quality.evaluation import BASELINES, evaluate, format_table, load_examples, rows_as_json
from models.quality.training import train_ranker

__all__ = ["BASELINES", "evaluate", "format_table", "load_examples", "rows_as_json", "train_ranker"]
