"""`leadlist eval` and `leadlist train-ranker`: scores that match the API, baselines on our sentences,
and a ranker that can be refitted without touching the shipped parameters."""

from __future__ import annotations

import hashlib
import json
import lzma
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from load._stories import BRIDGE, LONG_STORY, STORM
from models import Summariser
from models.extractive.ranker import DEFAULT_PARAMS_PATH, SentenceRanker
from models.extractive.summariser import ExtractiveSummariser
from models.quality.evaluation import (
    Example,
    RougeMeter,
    SentenceRouge,
    SumyBaseline,
    evaluate,
    lead_bullets,
    load_examples,
    normalise_reference,
    run_leadlist,
)
from models.quality.salience_training import Oracle
from models.quality.training import ONE_BULLET_CENTRALITIES, ONE_BULLET_LENGTHS, is_cnn, train_ranker
from models.text.segmentation import segment
from service.cli import main, service_documents
from service.settings import Settings
from tests.support.articles import generated_stories
from tests.support.paths import shared_file

STORIES = [
    Example(
        "bridge",
        BRIDGE,
        ["Riverton approves $48 million bridge over the Mill River .", "Work starts in March ."],
    ),
    Example(
        "storm", STORM, ["Storm cuts power to 200,000 homes .", "Governor declares a state of emergency ."]
    ),
    Example(
        "forest",
        LONG_STORY,
        ["Ancient forest mapped under a retreating glacier .", "Trees are 7,000 years old ."],
    ),
]


def _write_jsonl(path: Path, examples: list[Example]) -> Path:
    rows = (json.dumps({"id": e.id, "article": e.article, "highlights": e.highlights}) for e in examples)
    path.write_text("\n".join(rows) + "\n")
    return path


def test_references_lose_only_their_detached_full_stop() -> None:
    assert normalise_reference("Police say he fled .") == "Police say he fled."
    assert normalise_reference("Talks with the U.S. resume") == "Talks with the U.S. resume"
    assert normalise_reference("  Prices rose 3.5 % .  ") == "Prices rose 3.5 %."


def test_rouge_is_100_for_the_reference_and_0_for_unrelated_text() -> None:
    meter = RougeMeter()
    perfect = meter.score(["Storm cuts power to homes."], ["Storm cuts power to homes ."])
    assert perfect == pytest.approx({"rouge1": 1.0, "rouge2": 1.0, "rougeLsum": 1.0})
    unrelated = meter.score(["Cats sleep often."], ["Storm cuts power to homes ."])
    assert unrelated == {"rouge1": 0.0, "rouge2": 0.0, "rougeLsum": 0.0}


@pytest.mark.parametrize("method", ["lexrank", "textrank"])
def test_baselines_return_our_sentences_in_article_order(method: str) -> None:
    sentences = [s.text for s in segment(STORM).sentences]
    assert lead_bullets(STORM, 2) == sentences[:2]
    chosen = SumyBaseline(method)(STORM, 3)
    assert len(chosen) == 3
    assert sorted(chosen, key=sentences.index) == chosen


def test_eval_rows_match_what_the_api_returns(
    client: TestClient, summariser: Summariser, tmp_path: Path
) -> None:
    api_bullets = []
    for example in STORIES:
        response = client.post("/v1/summarize", json={"text": example.article})
        assert response.status_code == 200
        api_bullets.append([(b["text"], b["start"], b["end"]) for b in response.json()["bullets"]])

    in_process = run_leadlist(summariser, service_documents([e.article for e in STORIES], Settings(), None))
    assert [[(b.text, b.start, b.end) for b in s.bullets] for s in in_process] == api_bullets

    data = _write_jsonl(tmp_path / "stories.jsonl", STORIES)
    out = tmp_path / "scores.json"
    assert main(["eval", str(data), "--json", str(out)]) == 0
    table = json.loads(out.read_text())
    rows = {row["system"]: row for row in table["systems"]}
    assert set(rows) == {"leadlist", "lead-3", "lexrank", "textrank"}
    expected = RougeMeter().mean([[text for text, _, _ in b] for b in api_bullets], STORIES)
    assert rows["leadlist"]["rouge1"] == pytest.approx(expected["rouge1"])
    assert rows["leadlist"]["rougeLsum"] == pytest.approx(expected["rougeLsum"])
    assert rows["leadlist"]["bullets"] == pytest.approx(np.mean([len(b) for b in api_bullets]))
    assert rows["lead-3"]["bullets"] == 3


def test_max_bullets_bounds_leadlist_and_sets_lead_k(summariser: Summariser) -> None:
    documents = service_documents([e.article for e in STORIES], Settings(), 1)
    rows = evaluate(summariser, STORIES, documents, baselines=["lead"], baseline_bullets=1)
    assert [r.system for r in rows] == ["leadlist", "lead-1"]
    assert rows[0].bullets == 1
    assert rows[1].bullets == 1
    assert all(0 <= value <= 100 for r in rows for value in (r.rouge1, r.rouge2, r.rougeLsum))


def test_eval_refuses_an_unknown_baseline(tmp_path: Path) -> None:
    data = _write_jsonl(tmp_path / "stories.jsonl", STORIES[:1])
    assert main(["eval", str(data), "--baselines", "lead,magic"]) == 2


def test_eval_on_shared_cnn_sample(tmp_path: Path) -> None:
    data = shared_file("data/cnn_dev.jsonl")
    out = tmp_path / "cnn.json"
    assert main(["eval", str(data), "--limit", "8", "--baselines", "lead", "--json", str(out)]) == 0
    rows = {row["system"]: row for row in json.loads(out.read_text())["systems"]}
    assert rows["leadlist"]["articles"] == 8
    assert 3 <= rows["leadlist"]["bullets"] <= 5
    # Far above chance on real news (unrelated sentences score under 10 R1), whatever the exact number.
    assert rows["leadlist"]["rouge1"] > 20
    assert len(load_examples(data, limit=8)) == 8


def test_sentence_rouge_scores_exactly_as_the_meter_does() -> None:
    stories = [([s.text for s in segment(a).sentences], h) for a, h in generated_stories(12, seed=5)]
    stories.append(([s.text for s in segment(STORM).sentences], ["Storm cuts power to 200,000 homes ."]))
    choices = [[0, 2, 5], [1], [], [3, 4], *([[0, 1, 2]] * 9)]
    expected = RougeMeter().mean(
        [[sentences[i] for i in chosen] for (sentences, _), chosen in zip(stories, choices, strict=True)],
        [Example(str(i), "", highlights) for i, (_, highlights) in enumerate(stories)],
    )
    assert SentenceRouge(stories).mean(choices) == pytest.approx(expected, abs=1e-9)


def test_oracle_picks_the_sentences_that_carry_the_key_points() -> None:
    article, highlights = generated_stories(1, seed=3)[0]
    sentences = [s.text for s in segment(article).sentences]
    chosen = Oracle().labels(sentences, highlights)
    assert 0 in chosen
    assert any("is due to open" in sentences[i] for i in chosen)
    assert len(chosen) <= 3


def test_train_ranker_writes_loadable_params_and_leaves_the_shipped_ones(
    summariser: Summariser, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(summariser, ExtractiveSummariser)
    shipped = {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in DEFAULT_PARAMS_PATH.parent.glob("ranker_*")
    }
    rows = [
        {"id": f"t{i}", "split": "train" if i < 24 else "validation", "article": a, "highlights": h}
        for i, (a, h) in enumerate(generated_stories(32))
    ]
    data = tmp_path / "cnndm.jsonl.xz"
    with lzma.open(data, "wt", encoding="utf-8") as out:
        out.write("\n".join(json.dumps(row) for row in rows) + "\n")
    titled = tmp_path / "titled.jsonl"
    titled.write_text(
        "\n".join(
            json.dumps({"id": f"b{i}", "title": h[0], "article": a, "summary_sentences": h[:2]})
            for i, (a, h) in enumerate(generated_stories(6, seed=11))
        )
    )
    out_path = tmp_path / "model" / "ranker_params.json"
    arguments = {
        "titles": titled,
        "train_stories": 20,
        "held_out_stories": 4,
        "epochs": 30,
        "members": 2,
        "out": out_path,
    }
    code = train_ranker(data, summariser.encoder, tmp_path / "cache", **arguments)  # type: ignore[arg-type]
    assert code == 0
    printed = capsys.readouterr().out
    assert "validation: 8 stories" in printed
    assert "Lead-3" in printed
    assert "one-bullet centrality" in printed
    # The 4 train stories after the 20 fitted ones are reported apart (generated stories carry no CNN
    # dateline, so all of them count as DailyMail's).
    assert "held out: 4 dailymail train stories" in printed

    ranker = SentenceRanker.load(out_path)
    assert ranker.params.version.startswith("salience-")
    assert ranker.params.training["train_stories"] == 20
    held_out = ranker.params.training["held_out_train"]
    assert isinstance(held_out, dict)
    assert held_out["dailymail"]["stories"] == 4
    assert ranker.params.one_bullet_centrality in ONE_BULLET_CENTRALITIES
    assert ranker.params.one_bullet_length in ONE_BULLET_LENGTHS
    assert (out_path.parent / ranker.params.weights).stat().st_size < 8 * 2**20
    # The generated stories put their key facts first; the fitted network must have noticed.
    article, _ = generated_stories(1, seed=99)[0]
    sentences = [s.text for s in segment(article).sentences]
    scores = ranker.scores(sentences, summariser.encoder.encode(sentences), None)
    key = [i for i, s in enumerate(sentences) if i < 2 or "is due to open" in s]
    colour = [i for i in range(len(sentences)) if i not in key]
    assert scores[key].mean() > scores[colour].mean()
    # The embedding chunks are kept, so a second run re-embeds nothing.
    assert sorted(p.name for p in (tmp_path / "cache").glob("*.npz")) == [
        "bbc_00.npz",
        "train_00.npz",
        "val_00.npz",
    ]
    assert {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in DEFAULT_PARAMS_PATH.parent.glob("ranker_*")
    } == shipped


@pytest.mark.parametrize(
    ("sentences", "cnn"),
    [
        (["london ( cnn ) -- the mayor opened the bridge .", "crowds cheered ."], True),
        (["( cnn ) the mayor opened the bridge on tuesday .", "crowds cheered ."], True),
        (["by . daily mail reporter .", "published : . 12:01 est , 4 march 2014 .", "london (cnn)"], False),
        (["the mayor opened the bridge .", "a cnn reporter was there ."], False),
    ],
)
def test_held_out_train_stories_are_told_apart_by_cnn_s_dateline(sentences: list[str], cnn: bool) -> None:
    assert is_cnn(sentences) is cnn
