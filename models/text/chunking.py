"""Fitting a long article into a generator's window without cutting anything off.

An article longer than the window is split on sentence boundaries into chunks that each fit, and each
chunk repeats the last sentence(s) of the one before so a fact near a border is read whole at least
once. A single sentence longer than the window (a table, an unpunctuated dump) is cut at whitespace into
pieces that fit: every character of every story sentence reaches the model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models.text.segmentation import Sentence, cut_long

CountTokens = Callable[[Sequence[str]], list[int]]


@dataclass(frozen=True, slots=True)
class Chunk:
    """Consecutive story sentences (or pieces of one), joined into the text a generator reads."""

    sentences: tuple[Sentence, ...]
    tokens: int

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)


def fit_sentences(
    article: str, sentences: Sequence[Sentence], budget: int, count_tokens: CountTokens
) -> tuple[list[Sentence], list[int]]:
    """The sentences with any that alone exceed ``budget`` tokens cut into pieces that fit."""
    fitted: list[Sentence] = []
    counts: list[int] = []
    for sentence, tokens in zip(sentences, count_tokens([s.text for s in sentences]), strict=True):
        if tokens <= budget:
            fitted.append(sentence)
            counts.append(tokens)
            continue
        limit = max(1, len(sentence.text) * budget // tokens)
        while True:
            spans = list(cut_long(article, sentence.start, sentence.end, limit))
            pieces = [article[s:e] for s, e in spans]
            piece_tokens = count_tokens(pieces)
            # Characters per token vary within a sentence; shrink until every piece fits. A piece of
            # one character always fits any budget >= 1, so this ends.
            if max(piece_tokens) <= budget or limit == 1:
                break
            limit = max(1, limit * 3 // 4)
        for (start, end), text, piece_count in zip(spans, pieces, piece_tokens, strict=True):
            fitted.append(Sentence(text, start, end, sentence.index))
            counts.append(piece_count)
    return fitted, counts


def chunk_sentences(
    sentences: Sequence[Sentence], tokens: Sequence[int], budget: int, overlap: int = 1
) -> list[Chunk]:
    """Greedy packing into chunks of at most ``budget`` tokens, each repeating up to ``overlap``
    sentences from the end of the previous chunk (fewer when repeating them would not fit).

    ``tokens`` counts each sentence alone; joining adds about one token per border, so that is counted.
    """
    chunks: list[Chunk] = []
    start = 0
    n = len(sentences)
    while start < n:
        end, used = start, 0
        while end < n and (used + tokens[end] + (1 if end > start else 0) <= budget or end == start):
            used += tokens[end] + (1 if end > start else 0)
            end += 1
        chunks.append(Chunk(tuple(sentences[start:end]), used))
        if end >= n:
            break
        # Step back over the overlap, but always move forward by at least one sentence.
        start = max(start + 1, end - overlap)
    return chunks
