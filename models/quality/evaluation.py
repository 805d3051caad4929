"""Measuring summary quality: ROUGE for leadlist and for the baselines it has to beat, on the same stories.

Every system sees the same sentences (our own cleaning and splitter, so a baseline is never handicapped
or helped by a different tokenizer) and is scored the same way: rouge-score's ROUGE-1/2/Lsum F1 with the
Porter stemmer, bullets joined by newlines, and references whose detached final " ." (the CNN/DailyMail
convention for highlights without a full stop) is rejoined to the word before it. rouge-score and sumy
are only needed here, so they live in the ``eval`` extra and are imported when a score is asked for.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from models.document import Document, Summary
from models.summariser import Summariser, summarise
from models.text.segmentation import segment
from models.text.words import WORD

BASELINES: tuple[str, ...] = ("lead", "lexrank", "textrank")
ROUGE_TYPES: tuple[str, ...] = ("rouge1", "rouge2", "rougeLsum")
# Documents handed to the model per call: big enough to share encoder batches, small enough for the
# progress bar to move.
CHUNK_DOCUMENTS = 32

_DETACHED_STOP = re.compile(r"\s+\.$")


@dataclass(frozen=True, slots=True)
class Example:
    """One story and its human-written key points."""

    id: str
    article: str
    highlights: list[str]


@dataclass(frozen=True, slots=True)
class SystemScore:
    """One row of the evaluation table; ROUGE values are mean F1 × 100."""

    system: str
    rouge1: float
    rouge2: float
    rougeLsum: float  # noqa: N815 - the name rouge-score and the literature use
    bullets: float
    words: float
    articles_per_s: float
    articles: int


def load_examples(path: Path, limit: int | None = None, split: str | None = None) -> list[Example]:
    """Read ``{"id", "article", "highlights"}`` JSONL rows (plain, ``.gz`` or ``.xz``); with ``split``,
    only the rows whose ``"split"`` field has that value."""
    from models.quality.corpus import read_rows

    examples: list[Example] = []
    for number, row in enumerate(read_rows(path), 1):
        if split is not None and row.get("split") != split:
            continue
        try:
            examples.append(Example(str(row["id"]), row["article"], list(row["highlights"])))
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{path}:{number}: expected id, article and highlights ({exc})") from exc
        if limit is not None and len(examples) >= limit:
            break
    return examples


def normalise_reference(highlight: str) -> str:
    """``"Police say he fled ."`` → ``"Police say he fled."``; applied to every system's references."""
    return _DETACHED_STOP.sub(".", highlight.strip())


class RougeMeter:
    """Mean ROUGE F1 over articles, computed by rouge-score exactly as published numbers are."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), use_stemmer=True)

    def score(self, bullets: Sequence[str], highlights: Sequence[str]) -> dict[str, float]:
        reference = "\n".join(normalise_reference(h) for h in highlights)
        scores = self._scorer.score(reference, "\n".join(b.strip() for b in bullets))
        return {name: scores[name].fmeasure for name in ROUGE_TYPES}

    def mean(self, predictions: Sequence[Sequence[str]], examples: Sequence[Example]) -> dict[str, float]:
        totals = dict.fromkeys(ROUGE_TYPES, 0.0)
        for bullets, example in zip(predictions, examples, strict=True):
            for name, value in self.score(bullets, example.highlights).items():
                totals[name] += value
        count = max(1, len(examples))
        return {name: 100.0 * total / count for name, total in totals.items()}


class SentenceRouge:
    """:class:`RougeMeter`'s numbers for bullets chosen among each story's own sentences, with every
    sentence and reference tokenised once, so a tuning loop can score thousands of selections."""

    def __init__(self, stories: Sequence[tuple[Sequence[str], Sequence[str]]]) -> None:
        """``stories``: each story's sentences and its reference highlights."""
        from rouge_score import rouge_scorer

        self._module = rouge_scorer
        tokenize = rouge_scorer.RougeScorer(["rouge1"], use_stemmer=True)._tokenizer.tokenize
        self._sentences = [[tokenize(s.strip()) for s in sentences] for sentences, _ in stories]
        self._references: list[tuple[list[list[str]], Any, Any]] = []
        for _, highlights in stories:
            lines = [normalise_reference(h) for h in highlights]
            tokens = [tokenize(line) for line in "\n".join(lines).split("\n") if line]
            flat = [t for line in tokens for t in line]
            self._references.append(
                (tokens, rouge_scorer._create_ngrams(flat, 1), rouge_scorer._create_ngrams(flat, 2))
            )

    def mean(self, chosen: Sequence[Sequence[int]]) -> dict[str, float]:
        """Mean F1 × 100 when story ``i`` returns its sentences ``chosen[i]`` (in article order)."""
        module = self._module
        totals = dict.fromkeys(ROUGE_TYPES, 0.0)
        for sentences, (reference, ref1, ref2), picked in zip(
            self._sentences, self._references, chosen, strict=True
        ):
            lines = [sentences[i] for i in picked if sentences[i]]
            flat = [t for line in lines for t in line]
            totals["rouge1"] += module._score_ngrams(ref1, module._create_ngrams(flat, 1)).fmeasure
            totals["rouge2"] += module._score_ngrams(ref2, module._create_ngrams(flat, 2)).fmeasure
            totals["rougeLsum"] += module._summary_level_lcs(reference, lines).fmeasure
        count = max(1, len(chosen))
        return {name: 100.0 * total / count for name, total in totals.items()}


def lead_bullets(article: str, count: int) -> list[str]:
    return [s.text for s in segment(article).sentences[:count]]


class _WordTokenizer:
    """What sumy asks of a tokenizer; sentences come from our splitter, so only words are needed."""

    language = "english"

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s.text for s in segment(paragraph).sentences]

    def to_words(self, sentence: str) -> list[str]:
        return WORD.findall(sentence)


class SumyBaseline:
    """sumy's LexRank or TextRank over our sentences, in article order."""

    def __init__(self, method: str) -> None:
        from sumy.nlp.stemmers import Stemmer
        from sumy.summarizers.lex_rank import LexRankSummarizer
        from sumy.summarizers.text_rank import TextRankSummarizer
        from sumy.utils import get_stop_words

        classes: dict[str, Any] = {"lexrank": LexRankSummarizer, "textrank": TextRankSummarizer}
        if method not in classes:
            raise ValueError(f"unknown sumy method {method!r}; expected lexrank or textrank")
        self._summarizer = classes[method](Stemmer("english"))
        self._summarizer.stop_words = get_stop_words("english")
        self._tokenizer = _WordTokenizer()

    def __call__(self, article: str, count: int) -> list[str]:
        from sumy.models.dom import ObjectDocumentModel, Paragraph
        from sumy.models.dom import Sentence as SumySentence

        texts = [s.text for s in segment(article).sentences]
        if not texts:
            return []
        # sumy identifies sentences by their text, so repeated sentences collapse to one bullet.
        paragraph = Paragraph([SumySentence(text, self._tokenizer) for text in texts])
        chosen = self._summarizer(ObjectDocumentModel([paragraph]), count)
        return [str(sentence) for sentence in chosen]


def baseline_system(name: str) -> tuple[str, Callable[[str, int], list[str]]]:
    """The baseline's display name and a function ``(article, count) -> bullets``."""
    if name == "lead":
        return "lead", lead_bullets
    if name in ("lexrank", "textrank"):
        return name, SumyBaseline(name)
    raise ValueError(f"unknown baseline {name!r}; expected one of {', '.join(BASELINES)}")


def run_leadlist(
    summariser: Summariser,
    documents: Sequence[Document],
    progress: Callable[[int], None] | None = None,
    chunk: int = CHUNK_DOCUMENTS,
) -> list[Summary]:
    """Summarise in-process in chunks of documents, sharing encoder batches as the service does."""
    summaries: list[Summary] = []
    for offset in range(0, len(documents), chunk):
        part = documents[offset : offset + chunk]
        summaries.extend(summarise(summariser, part))
        if progress:
            progress(len(part))
    return summaries


def table_row(
    system: str,
    predictions: Sequence[Sequence[str]],
    examples: Sequence[Example],
    seconds: float,
    meter: RougeMeter,
) -> SystemScore:
    scores = meter.mean(predictions, examples)
    count = max(1, len(predictions))
    return SystemScore(
        system=system,
        rouge1=scores["rouge1"],
        rouge2=scores["rouge2"],
        rougeLsum=scores["rougeLsum"],
        bullets=sum(len(p) for p in predictions) / count,
        words=sum(len(" ".join(p).split()) for p in predictions) / count,
        articles_per_s=len(predictions) / seconds if seconds > 0 else float("inf"),
        articles=len(predictions),
    )


def evaluate(
    summariser: Summariser,
    examples: Sequence[Example],
    documents: Sequence[Document],
    *,
    baselines: Iterable[str] = BASELINES,
    baseline_bullets: int = 3,
    progress: Callable[[int], None] | None = None,
    cache_dir: Path | None = None,
) -> list[SystemScore]:
    """leadlist on ``documents`` (built from ``examples`` by the caller, as the service builds them) and
    each baseline at ``baseline_bullets``, all scored against the same references.

    With ``cache_dir`` the encoder's outputs are reused from (or saved to) the cache; the ranking and
    selection still run, so only articles/s differs from a fresh run.
    """
    meter = RougeMeter()
    started = time.perf_counter()
    if cache_dir is None:
        summaries = run_leadlist(summariser, documents, progress)
    else:
        from models.quality.embedding_cache import compute_jobs

        jobs = compute_jobs(summariser, documents, cache_dir)
        summaries = [summariser.finish(job) for job in jobs]
        if progress:
            progress(len(jobs))
    rows = [
        table_row(
            "leadlist",
            [[b.text for b in s.bullets] for s in summaries],
            examples,
            time.perf_counter() - started,
            meter,
        )
    ]
    for name in baselines:
        label, system = baseline_system(name)
        started = time.perf_counter()
        predictions = []
        for example in examples:
            predictions.append(system(example.article, baseline_bullets))
            if progress:
                progress(1)
        elapsed = time.perf_counter() - started
        if label == "lead":
            label = f"lead-{baseline_bullets}"
        rows.append(table_row(label, predictions, examples, elapsed, meter))
    return rows


def format_table(rows: Sequence[SystemScore]) -> str:
    header = f"{'system':<10} {'R1':>6} {'R2':>6} {'RLsum':>6} {'bullets':>8} {'words':>7} {'art/s':>8}"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r.system:<10} {r.rouge1:6.2f} {r.rouge2:6.2f} {r.rougeLsum:6.2f} "
            f"{r.bullets:8.2f} {r.words:7.1f} {r.articles_per_s:8.1f}"
        )
    return "\n".join(lines)


def rows_as_json(rows: Sequence[SystemScore], **context: Any) -> str:
    return json.dumps({**context, "systems": [asdict(r) for r in rows]}, indent=2) + "\n"
