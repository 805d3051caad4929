"""Training stories, split into sentences and embedded once, kept on disk in resumable chunks.

Embedding tens of thousands of stories takes the better part of an hour on two cores, so the work is cut
into chunks of :data:`CHUNK_STORIES` stories, each written as soon as it is done (``NAME.npz``: float16
sentence and title embeddings; ``NAME.json``: story ids and their sentences). A story's vectors are reused
only while it splits into exactly the sentences they were computed for, so a change to the splitter
re-embeds the stories it changed rather than pairing old vectors with new sentences. Which training
stories are used is a seeded permutation, so the first N of them are the same N on every machine.
"""

from __future__ import annotations

import gzip
import json
import lzma
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np

from models.encoders.protocol import Embeddings, SentenceEncoder
from models.text.segmentation import segment

CHUNK_STORIES = 500


@dataclass(frozen=True, slots=True)
class Story:
    """A story as the ranker sees it: sentences, their embeddings, its title's, and its references."""

    id: str
    sentences: list[str]
    embeddings: Embeddings
    title_embedding: Embeddings | None
    # CNN/DailyMail highlights (reference bullets), or BBC's extracted summary sentences.
    highlights: list[str]
    summary_sentences: list[str]


def read_rows(path: Path) -> list[dict[str, Any]]:
    """JSONL rows from a plain, ``.gz`` or ``.xz`` file."""
    opener: Callable[..., IO[str]]
    if path.suffix == ".xz":
        opener = lzma.open
    elif path.suffix == ".gz":
        opener = gzip.open
    else:
        opener = open
    rows: list[dict[str, Any]] = []
    with opener(path, "rt", encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{number}: not JSON ({exc.msg})") from exc
    return rows


def sample(rows: Sequence[dict[str, Any]], count: int | None, seed: int) -> list[dict[str, Any]]:
    """The first ``count`` rows of a seeded permutation: a fixed, unbiased subset of any size."""
    order = np.random.default_rng(seed).permutation(len(rows))
    return [rows[int(i)] for i in order[: len(rows) if count is None else count]]


def chunks(rows: Sequence[dict[str, Any]], prefix: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for number, start in enumerate(range(0, len(rows), CHUNK_STORIES)):
        yield f"{prefix}_{number:02d}", list(rows[start : start + CHUNK_STORIES])


def embedded_stories(
    encoder: SentenceEncoder,
    name: str,
    rows: Sequence[dict[str, Any]],
    cache_dir: Path,
    progress: Callable[[int], None] | None = None,
) -> list[Story]:
    """One chunk's stories with embeddings: cached vectors for every story that still splits into the
    sentences they were computed for, fresh ones (and a rewritten chunk) for the rest."""
    segmented = [[s.text for s in segment(row["article"]).sentences] for row in rows]
    titles = [str(row.get("title") or "") for row in rows]
    stored = _read_chunk(cache_dir, name, rows, segmented)
    stale = [i for i, vectors in enumerate(stored) if vectors is None]
    if stale:
        texts = [text for i in stale for text in segmented[i]]
        fresh = encoder.encode(texts + [titles[i] for i in stale if titles[i]])
        position, title_position = 0, len(texts)
        for i in stale:
            sentences = fresh[position : position + len(segmented[i])]
            position += len(segmented[i])
            title = None
            if titles[i]:
                title, title_position = fresh[title_position], title_position + 1
            stored[i] = (sentences, title)
        _write_chunk(cache_dir, name, rows=rows, segmented=segmented, titles=titles, vectors=stored)
    if progress:
        progress(len(rows))
    return [
        Story(
            id=str(row["id"]),
            sentences=sentences,
            embeddings=np.asarray(vectors[0], dtype=np.float32),
            title_embedding=None if vectors[1] is None else np.asarray(vectors[1], dtype=np.float32),
            highlights=list(row.get("highlights") or []),
            summary_sentences=list(row.get("summary_sentences") or []),
        )
        for row, sentences, vectors in zip(rows, segmented, stored, strict=True)
        if vectors is not None
    ]


Vectors = tuple[Embeddings, Embeddings | None]


def _read_chunk(
    cache_dir: Path, name: str, rows: Sequence[dict[str, Any]], segmented: Sequence[list[str]]
) -> list[Vectors | None]:
    """Each story's cached (sentence, title) vectors, or None where there are none for its sentences."""
    arrays, meta = cache_dir / f"{name}.npz", cache_dir / f"{name}.json"
    found: list[Vectors | None] = [None] * len(rows)
    if not (arrays.exists() and meta.exists()):
        return found
    stored = json.loads(meta.read_text())
    with np.load(arrays) as data:
        embeddings, offsets, titles = data["emb"], data["offsets"], data["title_emb"]
    for i, (m, row, sentences) in enumerate(zip(stored, rows, segmented, strict=False)):
        if m["id"] == row["id"] and m["sentences"] == sentences:
            title = titles[i] if m.get("title") else None
            found[i] = (embeddings[offsets[i] : offsets[i + 1]], title)
    return found


def _write_chunk(
    cache_dir: Path,
    name: str,
    *,
    rows: Sequence[dict[str, Any]],
    segmented: Sequence[list[str]],
    titles: Sequence[str],
    vectors: Sequence[Vectors | None],
) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    meta = [
        {"id": row["id"], "title": title, "sentences": sentences}
        for row, title, sentences in zip(rows, titles, segmented, strict=True)
    ]
    complete = [v for v in vectors if v is not None]
    width = complete[0][0].shape[1] if complete and len(complete[0][0]) else 384
    offsets = np.cumsum([0] + [len(s) for s in segmented])
    embeddings = np.concatenate(
        [v[0] for v in complete if len(v[0])] or [np.zeros((0, width), np.float32)]
    ).astype(np.float16)
    title_vectors = np.zeros((len(rows), width), dtype=np.float16)
    for i, v in enumerate(vectors):
        if v is not None and v[1] is not None:
            title_vectors[i] = v[1]
    # Arrays first and the sentence list last: a chunk interrupted between the two is simply redone.
    np.savez(cache_dir / f"{name}.npz", emb=embeddings, offsets=offsets, title_emb=title_vectors)
    (cache_dir / f"{name}.json").write_text(json.dumps(meta))
