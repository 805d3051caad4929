"""``leadlist train-ranker``: fit the salience network on CNN/DailyMail, its title weight on BBC, and its
selection settings on the validation split; print the validation table; write the two parameter files.

The recipe, all seeded: a fixed random subset of the *train* split (``--train-stories``) is split into
sentences and embedded with the serving encoder (chunks cached on disk, see :mod:`models.quality.corpus`),
labelled by the greedy ROUGE oracle and used to fit the network. BBC stories carry titles and
sentence-level salience labels: half of them fit the one title weight, the other half check it. The
*validation* split chooses the automatic bullet count and the length and redundancy settings by ROUGE,
through the same ranker the service runs, and is reported beside Lead-3 and the best fixed counts.
Validation is nearly all DailyMail, so ``--held-out-stories`` also reports the fitted ranker on the
train stories that follow the fitted ones in the same seeded order, CNN and DailyMail apart: a CNN
check as large as wanted that never touches the test split.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from models.encoders.protocol import SentenceEncoder
from models.extractive.features import FEATURES, sentence_features
from models.extractive.ranker import (
    DEFAULT_PARAMS_PATH,
    RankerParams,
    SentenceRanker,
    one_bullet_scores,
    title_closeness,
)
from models.extractive.salience import SalienceModel, SalienceShape
from models.extractive.selection import SelectionParams, eligible
from models.quality.corpus import Story, chunks, embedded_stories, read_rows, sample
from models.quality.evaluation import SentenceRouge
from models.quality.salience_training import Example, Oracle, train_network
from models.text.words import lower_words

# The selection settings searched on validation, one after another (each at the best of those before):
# how sure the network must be to add a bullet beyond the minimum, and the minimum; the redundancy
# penalty; the per-word cost.
COUNT_THRESHOLDS = (0.3, 0.35, 0.4, 0.45, 0.5, 0.6)
MIN_AUTO_BULLETS = (2, 3)
REDUNDANCIES = (0.0, 0.5, 1.0, 1.5)
LENGTH_PENALTIES = (0.0, 0.005, 0.01, 0.015, 0.02)
TITLE_WEIGHTS = tuple(round(0.5 * i, 1) for i in range(13))
ONE_BULLET_CENTRALITIES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0)
ONE_BULLET_LENGTHS = (0.0, 0.25, 0.5, 0.75, 1.0)


def train_ranker(
    data: Path,
    encoder: SentenceEncoder,
    cache_dir: Path,
    *,
    titles: Path | None = None,
    train_stories: int = 33_515,
    validation_stories: int | None = None,
    held_out_stories: int = 5_000,
    epochs: int = 4,
    members: int = 3,
    layers: int = 1,
    seed: int = 13,
    shape: SalienceShape | None = None,
    out: Path | None = None,
) -> int:
    """Fit, report and write; returns the process exit status."""
    from tqdm import tqdm

    rows = read_rows(data)
    # One seeded order: the fitted stories are its first ``train_stories``, the held-out ones the next.
    ordered = sample([r for r in rows if r.get("split") == "train"], train_stories + held_out_stories, seed)
    train_rows = ordered[:train_stories]
    validation_rows = [r for r in rows if r.get("split") == "validation"][:validation_stories]
    title_rows = read_rows(titles) if titles else []
    if not train_rows or not validation_rows:
        print(f"leadlist: {data} needs rows with split 'train' and 'validation'", file=sys.stderr)
        return 2
    total = len(ordered) + len(validation_rows) + len(title_rows)
    with tqdm(total=total, desc="embed", unit="story", file=sys.stderr, mininterval=10) as bar:

        def embed(subset: list[dict[str, Any]], prefix: str) -> list[Story]:
            return [
                story
                for name, part in chunks(subset, prefix)
                for story in embedded_stories(encoder, name, part, cache_dir, bar.update)
            ]

        stories = embed(ordered, "train")
        train, held_out = stories[: len(train_rows)], stories[len(train_rows) :]
        validation = embed(validation_rows, "val")
        titled = embed(title_rows, "bbc")
    oracle = Oracle()
    with tqdm(total=len(train), desc="oracle", unit="story", file=sys.stderr, mininterval=10) as bar:
        examples = [
            _example(story, oracle.labels(story.sentences, story.highlights), bar.update)
            for story in train
            if story.sentences
        ]
    shape = shape or SalienceShape(features=len(FEATURES), layers=layers, members=members)
    print(
        f"fitting {shape.members} networks on {len(examples)} train stories, {epochs} epochs, seed {seed}",
        file=sys.stderr,
    )
    weights = train_network(examples, shape, epochs, seed)
    salience = SalienceModel(weights, shape)
    title_weight, title_check = _fit_title_weight(salience, titled, seed)
    one_bullet, one_bullet_length, one_bullet_check = fit_one_bullet(salience, titled, seed)
    base = RankerParams(
        salience=shape,
        selection=SelectionParams(),
        title_weight=title_weight,
        one_bullet_centrality=one_bullet,
        one_bullet_length=one_bullet_length,
    )
    validation = [s for s in validation if s.sentences]
    meter = SentenceRouge([(s.sentences, s.highlights) for s in validation])
    rouge = _validation_rouge(base, salience, validation, meter)
    best, best_scores = choose_selection(base.selection, rouge)
    lead = _lead3(meter, validation)
    fixed = {k: rouge(best, k) for k in (2, 3, 4)}
    print(f"validation: {len(validation)} stories; R1 / R2 / RLsum")
    print(f"  leadlist (automatic count)  {_fmt(best_scores)}")
    for k, result in fixed.items():
        print(f"  leadlist, {k} bullets          {_fmt(result)}")
    print(f"  Lead-3                      {_fmt(lead)}")
    print(f"  selection: {best}")
    print(f"  title weight {title_weight} (BBC held-out top-3 precision {title_check})")
    print(
        f"  one-bullet centrality {one_bullet}, length {one_bullet_length} "
        f"(BBC held-out opening sentence R1 {one_bullet_check})"
    )
    held_out_rouge = _report_held_out(replace(base, selection=best), salience, held_out)
    digest = hashlib.sha256(b"".join(np.ascontiguousarray(w).tobytes() for w in weights.values()))
    params = replace(
        base,
        selection=best,
        version=f"salience-{digest.hexdigest()[:8]}",
        training={
            "data": data.name,
            "train_stories": len(examples),
            "epochs": epochs,
            "members": shape.members,
            "seed": seed,
            "titles": titles.name if titles else None,
            "one_bullet_held_out_rouge1": one_bullet_check,
            "validation_stories": len(validation),
            "validation_rouge": {k: round(v, 2) for k, v in best_scores.items()},
            "validation_lead3": {k: round(v, 2) for k, v in lead.items()},
            **({"held_out_train": held_out_rouge} if held_out_rouge else {}),
        },
    )
    target = out or DEFAULT_PARAMS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    _save_weights(weights, target.parent / params.weights)
    params.save(target)
    print(f"wrote {target} and {target.parent / params.weights}")
    return 0


def _validation_rouge(
    base: RankerParams, salience: SalienceModel, validation: Sequence[Story], meter: SentenceRouge
) -> Callable[[SelectionParams, int | None], dict[str, float]]:
    """Validation ROUGE of a selection setting (and optionally a fixed count), the logits computed once."""
    scores = [salience.logits(s.embeddings, sentence_features(s.sentences, s.embeddings)) for s in validation]

    def rouge(selection: SelectionParams, bounds: int | None = None) -> dict[str, float]:
        ranker = SentenceRanker(replace(base, selection=selection), salience)
        return meter.mean(
            [
                ranker.choose(s.sentences, s.embeddings, logits, bounds, bounds)
                for s, logits in zip(validation, scores, strict=True)
            ]
        )

    return rouge


def choose_selection(
    start: SelectionParams, rouge: Callable[[SelectionParams, int | None], dict[str, float]]
) -> tuple[SelectionParams, dict[str, float]]:
    """The selection settings, searched one after another, each at the best of those before.

    The count is searched first and again last: the redundancy and per-word cost chosen after it change
    which sentence comes fourth, so the threshold that was best before them may add bullets that the
    best fixed count would not.
    """
    best, best_scores = start, {"rouge1": -1.0, "rouge2": 0.0, "rougeLsum": 0.0}
    count = [
        {"count_threshold": t, "min_auto_bullets": m} for t in COUNT_THRESHOLDS for m in MIN_AUTO_BULLETS
    ]
    stages: list[list[dict[str, Any]]] = [
        count,
        [{"redundancy": r} for r in REDUNDANCIES],
        [{"length_penalty": p} for p in LENGTH_PENALTIES],
        count,
    ]
    for stage in stages:
        for change in stage:
            candidate = replace(best, **change)
            result = rouge(candidate, None)
            print(f"  {change}: {_fmt(result)}", file=sys.stderr)
            if _objective(result) > _objective(best_scores):
                best, best_scores = candidate, result
    return best, best_scores


def _example(story: Story, chosen: Sequence[int], progress: Callable[[int], None]) -> Example:
    labels = np.zeros(len(story.sentences), dtype=np.float32)
    labels[list(chosen)] = 1.0
    progress(1)
    return Example(story.embeddings, sentence_features(story.sentences, story.embeddings), labels)


def _fit_title_weight(salience: SalienceModel, stories: Sequence[Story], seed: int) -> tuple[float, str]:
    """The weight of the title's cosine, fitted on half the titled stories and checked on the other half.

    BBC's labels mark the sentences its summaries kept: the weight that best ranks those first (top-3
    precision) on the fitting half is kept; the check reports the held-out half without and with it.
    """
    usable = [s for s in stories if s.sentences and s.title_embedding is not None and s.summary_sentences]
    if not usable:
        return 0.0, "no titled stories"
    order = np.random.default_rng(seed).permutation(len(usable))
    half = len(usable) // 2

    def scored(subset: Sequence[Story]) -> list[tuple[Any, Any, Any]]:
        """Per story: which sentences BBC kept, the network's logits, the centred title cosine."""
        rows = []
        for story in subset:
            kept = {" ".join(lower_words(t)) for t in story.summary_sentences}
            labels = np.array([" ".join(lower_words(t)) in kept for t in story.sentences])
            logits = salience.logits(story.embeddings, sentence_features(story.sentences, story.embeddings))
            assert story.title_embedding is not None  # only titled stories are usable
            rows.append((labels, logits, title_closeness(story.embeddings, story.title_embedding)))
        return rows

    def precision(rows: Sequence[tuple[Any, Any, Any]], weight: float) -> float:
        hits = [
            float(labels[np.argsort(-(logits + weight * title))[:3]].mean()) for labels, logits, title in rows
        ]
        return sum(hits) / max(1, len(hits))

    fitting = scored([usable[int(i)] for i in order[:half]])
    held_out = scored([usable[int(i)] for i in order[half:]])
    weight = max(TITLE_WEIGHTS, key=lambda w: precision(fitting, w))
    check = f"{precision(held_out, 0.0):.3f} -> {precision(held_out, weight):.3f} on {len(held_out)}"
    return weight, check


def fit_one_bullet(salience: SalienceModel, stories: Sequence[Story], seed: int) -> tuple[float, float, str]:
    """The single-bullet centrality and length weights, fitted on half the BBC stories and checked on the
    other half.

    XSum's one-line summaries are BBC stories' opening sentences, cut from the article: holding out each
    BBC story's first sentence as its summary poses the same task on stories leadlist may fit on. The
    pair of weights that best recovers it (ROUGE-1) from the remaining sentences, with no title, is kept.
    """
    usable = [s for s in stories if len(s.sentences) >= 4]
    if not usable:
        return 0.0, 0.0, "no stories"
    order = np.random.default_rng(seed).permutation(len(usable))
    half = len(usable) // 2

    def prepared(subset: Sequence[Story]) -> tuple[SentenceRouge, list[tuple[Any, ...]]]:
        """The ROUGE meter against each held-out opening, and per story what choosing its bullet needs."""
        meter = SentenceRouge([(story.sentences[1:], story.sentences[:1]) for story in subset])
        rows = []
        for story in subset:
            texts, vectors = story.sentences[1:], story.embeddings[1:]
            logits = salience.logits(vectors, sentence_features(texts, vectors))
            rows.append((texts, eligible(texts), logits, vectors))
        return meter, rows

    def rouge1(data: tuple[SentenceRouge, list[tuple[Any, ...]]], weights: tuple[float, float]) -> float:
        meter, rows = data
        centrality, length = weights
        chosen = []
        for texts, candidates, logits, vectors in rows:
            scores = one_bullet_scores(
                logits, vectors, texts, centrality_weight=centrality, length_weight=length
            )
            chosen.append([int(np.argmax(np.where(candidates, scores, -np.inf)))] if candidates.any() else [])
        return meter.mean(chosen)["rouge1"]

    fitting = prepared([usable[int(i)] for i in order[:half]])
    held_out = prepared([usable[int(i)] for i in order[half:]])
    grid = [(c, length) for c in ONE_BULLET_CENTRALITIES for length in ONE_BULLET_LENGTHS]
    best = max(grid, key=lambda weights: rouge1(fitting, weights))
    check = f"{rouge1(held_out, (0.0, 0.0)):.2f} -> {rouge1(held_out, best):.2f} on {len(held_out[1])}"
    return best[0], best[1], check


def _report_held_out(
    params: RankerParams, salience: SalienceModel, stories: Sequence[Story]
) -> dict[str, dict[str, float]]:
    """The fitted ranker against Lead-3 on train stories it was not fitted on, CNN and DailyMail apart."""
    ranker = SentenceRanker(params, salience)
    groups: dict[str, list[Story]] = {}
    for story in stories:
        if story.sentences:
            groups.setdefault("cnn" if is_cnn(story.sentences) else "dailymail", []).append(story)
    report: dict[str, dict[str, float]] = {}
    for name, group in sorted(groups.items()):
        meter = SentenceRouge([(s.sentences, s.highlights) for s in group])
        chosen = [ranker.rank(s.sentences, s.embeddings, None).chosen for s in group]
        scores = meter.mean(chosen)
        lead = _lead3(meter, group)
        print(f"held out: {len(group)} {name} train stories; R1 / R2 / RLsum")
        print(f"  leadlist (automatic count)  {_fmt(scores)}")
        print(f"  Lead-3                      {_fmt(lead)}")
        report[name] = {
            "stories": len(group),
            **{k: round(v, 2) for k, v in scores.items()},
            **{f"lead3_{k}": round(v, 2) for k, v in lead.items()},
        }
    return report


def _lead3(meter: SentenceRouge, stories: Sequence[Story]) -> dict[str, float]:
    """Lead-3 on the stories ``meter`` was built for, the baseline every report stands beside."""
    return meter.mean([range(min(3, len(s.sentences))) for s in stories])


def is_cnn(sentences: Sequence[str]) -> bool:
    """CNN's train stories open with its dateline ("london ( cnn ) --"); DailyMail's do not."""
    opening = " ".join(sentences[:2])[:300]
    return "( cnn )" in opening or "(cnn)" in opening


def _objective(scores: dict[str, float]) -> float:
    return scores["rouge1"] + scores["rouge2"] + scores["rougeLsum"]


def _fmt(scores: dict[str, float]) -> str:
    return f"{scores['rouge1']:6.2f} {scores['rouge2']:6.2f} {scores['rougeLsum']:6.2f}"


def _save_weights(weights: dict[str, Any], path: Path) -> None:
    from safetensors.numpy import save_file

    save_file({k: np.ascontiguousarray(v) for k, v in weights.items()}, str(path), metadata={"format": "np"})
