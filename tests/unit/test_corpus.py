"""Training stories are embedded once: a chunk is reused story by story while its sentences still match."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from models import Summariser
from models.encoders.protocol import Embeddings, SentenceEncoder
from models.extractive.summariser import ExtractiveSummariser
from models.quality.corpus import embedded_stories, sample
from tests.support.articles import generated_stories


class CountingEncoder:
    """The real encoder, counting how many texts it was asked to embed."""

    def __init__(self, encoder: SentenceEncoder) -> None:
        self.inner = encoder
        self.name = encoder.name
        self.max_tokens = encoder.max_tokens
        self.texts = 0

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        return self.inner.count_tokens(texts)

    def encode(self, texts: Sequence[str]) -> Embeddings:
        self.texts += len(texts)
        return self.inner.encode(texts)


def test_only_stories_whose_sentences_changed_are_embedded_again(
    summariser: Summariser, tmp_path: Path
) -> None:
    assert isinstance(summariser, ExtractiveSummariser)
    encoder = CountingEncoder(summariser.encoder)
    rows = [
        {"id": str(i), "article": a, "title": f"Story {i}"} for i, (a, _) in enumerate(generated_stories(4))
    ]

    first = embedded_stories(encoder, "part_00", rows, tmp_path)
    embedded = encoder.texts
    assert embedded == sum(len(s.sentences) + 1 for s in first)

    again = embedded_stories(encoder, "part_00", rows, tmp_path)
    assert encoder.texts == embedded
    for a, b in zip(first, again, strict=True):
        assert a.sentences == b.sentences
        np.testing.assert_allclose(a.embeddings, b.embeddings, atol=2e-3)  # stored as float16
        assert b.title_embedding is not None

    rows[2] = {**rows[2], "article": rows[2]["article"] + " A late sentence was added to this story."}
    changed = embedded_stories(encoder, "part_00", rows, tmp_path)
    assert encoder.texts == embedded + len(changed[2].sentences) + 1
    assert changed[2].sentences[-1] == "A late sentence was added to this story."


def test_the_training_sample_is_a_fixed_prefix_of_one_permutation() -> None:
    rows = [{"id": str(i)} for i in range(50)]
    small, large = sample(rows, 10, seed=13), sample(rows, 20, seed=13)
    assert large[:10] == small
    assert len({r["id"] for r in large}) == 20
    assert sample(rows, 10, seed=14) != small
