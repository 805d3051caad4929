"""The default summariser on the real MiniLM model: faithful, ordered, bounded, non-redundant."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, LONG_STORY_TITLE, STORM
from models import Document, ReportsPadding, Summariser, summarise
from models.encoders.protocol import Embeddings
from models.extractive.features import word_counts
from models.extractive.ranker import RankerParams, SentenceRanker, one_bullet_scores
from models.extractive.summariser import ExtractiveSummariser
from models.text.segmentation import segment
from tests.support.paths import shared_file


def test_bullets_are_article_sentences_in_article_order(summariser: Summariser) -> None:
    [summary] = summarise(summariser, [Document(BRIDGE, title=BRIDGE_TITLE)])
    assert summary.bullets
    for bullet in summary.bullets:
        assert BRIDGE[bullet.start : bullet.end] == bullet.text
    starts = [b.start for b in summary.bullets]
    assert starts == sorted(starts)


def test_automatic_count_keeps_only_salient_bullets_beyond_the_minimum(summariser: Summariser) -> None:
    selection = RankerParams.load().selection
    very_long = LONG_STORY + "\n" + BRIDGE + "\n" + STORM.split("\nWatch")[0]
    summaries = summarise(
        summariser,
        [Document(STORM), Document(LONG_STORY, title=LONG_STORY_TITLE), Document(very_long)],
    )
    threshold = math.log(selection.count_threshold / (1 - selection.count_threshold))
    for summary in summaries:
        assert selection.min_auto_bullets <= len(summary.bullets) <= selection.max_auto_bullets
        # Only the guaranteed minimum may be less sure than the threshold.
        assert sum(b.score < threshold for b in summary.bullets) <= selection.min_auto_bullets


def test_bullet_bounds_are_honoured(summariser: Summariser) -> None:
    results = summarise(
        summariser,
        [
            Document(LONG_STORY, max_bullets=2),
            Document(STORM, min_bullets=6),
            Document(STORM, min_bullets=4, max_bullets=4),
            Document("One lonely sentence stands here alone.", min_bullets=3),
        ],
    )
    assert [len(r.bullets) for r in results] == [2, 6, 4, 1]


def test_repeated_sentences_are_never_two_bullets(summariser: Summariser) -> None:
    repeated = "The dam burst on Friday, flooding the valley. " * 4
    article = (
        repeated + "Rescue teams reached the village by boat. The army sent four helicopters to help. "
        "Schools in the valley closed until further notice."
    )
    [summary] = summarise(summariser, [Document(article, max_bullets=3)])
    texts = [b.text for b in summary.bullets]
    assert len(texts) == len(set(texts)) == 3


def test_usage_counts_what_was_read(summariser: Summariser) -> None:
    [summary] = summarise(summariser, [Document(BRIDGE, title=BRIDGE_TITLE)])
    assert summary.usage.characters == len(BRIDGE)
    assert summary.usage.sentences == len(segment(BRIDGE).sentences)
    assert summary.usage.tokens > summary.usage.sentences
    assert summary.usage.truncated is False


def test_tokens_past_the_window_are_reported_as_truncated(summariser: Summariser) -> None:
    # Each CJK character is its own token, so a 600-character run needs far more than 256 tokens.
    [summary] = summarise(summariser, [Document("漢" * 590 + "。")])
    assert summary.usage.truncated is True
    assert summary.bullets


def test_same_document_same_bullets_alone_or_with_others(summariser: Summariser) -> None:
    [alone] = summarise(summariser, [Document(BRIDGE, title=BRIDGE_TITLE)])
    together = summarise(
        summariser, [Document(STORM), Document(BRIDGE, title=BRIDGE_TITLE), Document(LONG_STORY)]
    )
    assert [b.text for b in together[1].bullets] == [b.text for b in alone.bullets]
    for a, b in zip(alone.bullets, together[1].bullets, strict=True):
        assert abs(a.score - b.score) < 1e-4


def test_example_article_bullets_are_story_not_furniture(summariser: Summariser) -> None:
    lines = shared_file("examples/kremlin_peace_talks.txt").read_text().split("\n")
    title = lines[0]
    body = "\n".join(line for line in lines[1:] if not line.startswith("- "))
    [summary] = summarise(summariser, [Document(body, title=title)])
    assert 3 <= len(summary.bullets) <= 5
    headings = {"U.S. peace plan demands difficult concessions from Kyiv", "Leadership and a path forward"}
    for bullet in summary.bullets:
        assert not any(
            word in bullet.text for word in ("Watch this clip", "Brighteon", "Sources include", "RT.com")
        )
        assert not any(bullet.text.startswith(h) for h in headings)
        assert body[bullet.start : bullet.end] == bullet.text


def test_encoder_runs_no_onednn_kernels(summariser: Summariser, capfd: pytest.CaptureFixture[str]) -> None:
    # oneDNN caches a compiled kernel per input shape, and those pin freed heap memory in a long-running
    # service (models/encoders/torch_encoder.py); torch's own kernels must do all the work.
    import torch

    documents = [Document(STORM), Document(BRIDGE, title=BRIDGE_TITLE)]
    with torch.backends.mkldnn.verbose(torch.backends.mkldnn.VERBOSE_ON):
        summaries = summarise(summariser, documents)
    assert all(summary.bullets for summary in summaries)
    assert "primitive,exec" not in capfd.readouterr().out


def test_padding_is_reported_by_the_encoder_that_did_it(summariser: Summariser) -> None:
    """The service's padding metric reads this: the real tokens are the encoder's (truncated) ones."""
    assert isinstance(summariser, ReportsPadding)
    job = summariser.prepare(Document(LONG_STORY, title=LONG_STORY_TITLE))
    summariser.compute(job.inputs)
    padding = summariser.last_padding()
    window = summariser.info.max_tokens
    assert padding.real == sum(min(tokens, window) for tokens in job.input_tokens)
    assert padding.padded >= padding.real
    assert 0.0 <= padding.ratio < 1.0


ANECDOTE_FIRST = (
    "On a cold Tuesday morning, Maria Lopez fed her three cats before the sun came up. "
    "The city council voted to ban private cars from the old town from next spring. "
    "The ban on cars in the old town will be enforced with cameras at every entrance. "
    "Shop owners in the old town fear the car ban will cost them customers. "
    "Council members said banning cars would cut pollution and noise in the old town. "
    "Buses and bicycles will still be allowed into the old town under the ban."
)


Anecdote = tuple[ExtractiveSummariser, list[str], Embeddings]


@pytest.fixture
def anecdote(summariser: Summariser) -> Anecdote:
    """The default summariser, and the anecdote-first story's sentences and their embeddings."""
    assert isinstance(summariser, ExtractiveSummariser)
    sentences = [s.text for s in segment(ANECDOTE_FIRST).sentences]
    return summariser, sentences, summariser.encoder.encode(sentences)


def test_a_single_bullet_says_what_the_whole_story_is_about(
    anecdote: Anecdote,
) -> None:
    summariser, sentences, embeddings = anecdote
    central = replace(summariser.ranker.params, one_bullet_centrality=8.0)
    ranker = SentenceRanker(central, summariser.ranker.salience)
    salience_only = SentenceRanker(replace(central, one_bullet_centrality=0.0), summariser.ranker.salience)

    [one] = ranker.rank(sentences, embeddings, None, maximum=1).chosen
    closeness = embeddings @ embeddings.mean(axis=0)
    assert one == int(np.argmax(closeness))
    assert "cats" not in sentences[one]
    # Only a single bullet is chosen this way: longer lists keep the fitted selection.
    for count in (2, 3):
        blended = ranker.rank(sentences, embeddings, None, minimum=count, maximum=count).chosen
        plain = salience_only.rank(sentences, embeddings, None, minimum=count, maximum=count).chosen
        assert blended == plain


def test_a_single_bullet_is_the_best_blended_score_whatever_the_list_length_penalty(
    anecdote: Anecdote,
) -> None:
    # The one-bullet weight is fitted by taking the best blended score; a per-word cost meant for raw
    # logits must not move that choice at serving time (here, a cost that favours the shortest sentence).
    summariser, sentences, embeddings = anecdote
    params = summariser.ranker.params
    per_word = replace(params.selection, length_penalty=1.0)
    wordy = replace(params, one_bullet_centrality=1.0, selection=per_word)
    ranker = SentenceRanker(wordy, summariser.ranker.salience)
    ranking = ranker.rank(sentences, embeddings, None, maximum=1)
    assert ranking.chosen == [int(np.argmax(ranking.scores))]
    # Lists of bullets keep the fitted per-word cost: the two chosen differ from the top two scores.
    pair = ranker.rank(sentences, embeddings, None, minimum=2, maximum=2).chosen
    plain = SentenceRanker(replace(wordy, selection=params.selection), summariser.ranker.salience)
    assert pair != plain.rank(sentences, embeddings, None, minimum=2, maximum=2).chosen


def test_a_single_bullet_leans_to_the_longer_sentence_by_the_fitted_length_weight(
    anecdote: Anecdote,
) -> None:
    summariser, sentences, embeddings = anecdote
    base = replace(summariser.ranker.params, one_bullet_centrality=0.0, one_bullet_length=0.0)
    wordy = replace(base, one_bullet_length=20.0)
    salience = summariser.ranker.salience
    words = list(word_counts(sentences))
    [plain] = SentenceRanker(base, salience).rank(sentences, embeddings, None, maximum=1).chosen
    [long] = SentenceRanker(wordy, salience).rank(sentences, embeddings, None, maximum=1).chosen
    assert words[long] == max(words)
    assert words[plain] < max(words)  # the weight, not the network, made the choice
    # Lists of bullets are chosen as before.
    for count in (2, 3):
        a = SentenceRanker(base, salience).rank(sentences, embeddings, None, minimum=count, maximum=count)
        b = SentenceRanker(wordy, salience).rank(sentences, embeddings, None, minimum=count, maximum=count)
        assert a.chosen == b.chosen


def test_one_bullet_scores_keep_the_salience_order_without_centrality_or_length() -> None:
    rng = np.random.default_rng(5)
    logits = rng.normal(size=9)
    embeddings = rng.normal(size=(9, 16)).astype(np.float32)
    texts = [" ".join(["word"] * (3 + 4 * i)) for i in range(9)]
    scores = one_bullet_scores(logits, embeddings, texts, centrality_weight=0.0, length_weight=0.0)
    assert list(np.argsort(scores)) == list(np.argsort(logits))
