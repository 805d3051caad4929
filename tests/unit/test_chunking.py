"""Long inputs: chunks fit the window, cover every sentence, overlap, and never cut text off."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from load._stories import LONG_STORY
from models.text.chunking import chunk_sentences, fit_sentences
from models.text.segmentation import segment


def words(texts: Sequence[str]) -> list[int]:
    return [len(text.split()) for text in texts]


def test_chunks_fit_cover_everything_and_overlap() -> None:
    sentences = segment(LONG_STORY).sentences
    fitted, counts = fit_sentences(LONG_STORY, sentences, 60, words)
    assert fitted == sentences  # every sentence already fits: nothing is cut
    chunks = chunk_sentences(fitted, counts, 60, overlap=1)
    assert len(chunks) >= 5
    assert all(chunk.tokens <= 60 for chunk in chunks)
    covered = {s.index for chunk in chunks for s in chunk.sentences}
    assert covered == {s.index for s in sentences}
    for before, after in pairwise(chunks):
        assert after.sentences[0] == before.sentences[-1]  # one sentence of overlap
        assert after.sentences[-1].index > before.sentences[-1].index  # always moving forward


def test_no_overlap_partitions_the_article() -> None:
    sentences = segment(LONG_STORY).sentences
    chunks = chunk_sentences(sentences, words([s.text for s in sentences]), 50, overlap=0)
    assert [s for chunk in chunks for s in chunk.sentences] == sentences


def test_a_sentence_longer_than_the_window_is_cut_into_pieces_that_fit() -> None:
    article = "Intro sentence here. " + " ".join(f"word{i}" for i in range(250)) + " end."
    sentences = segment(article, max_sentence_chars=10_000).sentences
    fitted, counts = fit_sentences(article, sentences, 40, words)
    assert max(counts) <= 40
    assert len(fitted) > len(sentences)
    for piece in fitted:
        assert article[piece.start : piece.end] == piece.text
    # Every word of the article reaches some piece, in order.
    assert " ".join(piece.text for piece in fitted).split() == article.split()
