"""Warnings a caller can act on: the summary is given, but something about the input limits it.

Each has a stable ``code`` (callers branch on it) and a ``detail`` for people; a detail never quotes the
submitted text. The service adds ``html_extracted`` itself (it knows what it was sent); the rest follow
from the text and the summary, so the CLI and the evaluator can report them too.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.document import Document, Summary
from models.text.segmentation import has_sentence_punctuation

HTML_EXTRACTED = "html_extracted"
LANGUAGE_UNSUPPORTED = "language_unsupported"
NO_SENTENCE_PUNCTUATION = "no_sentence_punctuation"
SENTENCE_TRUNCATED = "sentence_truncated"
FEWER_BULLETS_THAN_ASKED = "fewer_bullets_than_asked"
WARNING_CODES = (
    HTML_EXTRACTED,
    LANGUAGE_UNSUPPORTED,
    NO_SENTENCE_PUNCTUATION,
    SENTENCE_TRUNCATED,
    FEWER_BULLETS_THAN_ASKED,
)
# The sentence splitter and the encoder were built and fitted for English.
SUPPORTED_LANGUAGES = frozenset({"en"})


@dataclass(frozen=True, slots=True)
class SummaryWarning:
    code: str
    detail: str


def input_warnings(text: str, language: str | None) -> list[SummaryWarning]:
    """What the text alone says about how far its summary can be trusted."""
    warnings = []
    if language is not None and language not in SUPPORTED_LANGUAGES:
        warnings.append(
            SummaryWarning(
                LANGUAGE_UNSUPPORTED,
                f"The text reads as language '{language}'; the sentence splitter and the encoder are "
                "English, so sentences may be split wrongly and ranked poorly.",
            )
        )
    if not has_sentence_punctuation(text):
        warnings.append(
            SummaryWarning(
                NO_SENTENCE_PUNCTUATION,
                "No sentence in the text ends with punctuation, so where sentences end was guessed "
                "from line breaks and length.",
            )
        )
    return warnings


def summary_warnings(document: Document, summary: Summary) -> list[SummaryWarning]:
    """What the summary shows: sentences cut to fit the model, fewer bullets than the caller asked for.

    Fewer bullets is a warning when they fall short of ``min_bullets`` (or of one, when nothing was
    asked), or of ``max_bullets`` when the article has fewer sentences than that; a ranker choosing three
    of thirty sentences under ``max_bullets=5`` is the model's choice, not a limit of the input.
    """
    warnings = []
    if summary.usage.truncated:
        warnings.append(
            SummaryWarning(
                SENTENCE_TRUNCATED,
                "An input longer than the model's window was cut for scoring; its bullet is whole, "
                "but only its start was read.",
            )
        )
    got, sentences = len(summary.bullets), summary.usage.sentences
    wanted = document.min_bullets if document.min_bullets is not None else 1
    if got < wanted or (
        document.max_bullets is not None and got < document.max_bullets and sentences < document.max_bullets
    ):
        if document.min_bullets is not None and got < document.min_bullets:
            asked = f"at least {document.min_bullets} bullets"
        elif document.max_bullets is not None:
            asked = f"up to {document.max_bullets} bullets"
        else:
            asked = "bullets"
        warnings.append(
            SummaryWarning(
                FEWER_BULLETS_THAN_ASKED,
                f"Asked for {asked}; {got} of the article's {sentences} "
                f"sentence{'' if sentences == 1 else 's'} could be bullets (headings, fragments and page "
                "furniture never are).",
            )
        )
    return warnings
