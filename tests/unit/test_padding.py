"""The forward-pass plan (every input in exactly one chunk, chunks within the cap, the cheapest split) and
the loop both encoders run it through (rows back in order, the padding it reports)."""

from __future__ import annotations

import itertools
import random

import numpy as np
import pytest

from models import Padding
from models.encoders.padding import TokenIds, encode_in_passes, padded_tokens, plan_chunks
from models.encoders.protocol import Embeddings


def cost(lengths: list[int], chunks: list[tuple[int, int]], overhead: int) -> int:
    return overhead * len(chunks) + padded_tokens(lengths, chunks)


def every_split(count: int) -> list[list[tuple[int, int]]]:
    splits = []
    for cuts in itertools.product((False, True), repeat=count - 1):
        bounds = [0] + [i + 1 for i, cut in enumerate(cuts) if cut] + [count]
        splits.append(list(itertools.pairwise(bounds)))
    return splits


@pytest.mark.parametrize("seed", range(20))
def test_plan_is_the_cheapest_split_within_the_cap(seed: int) -> None:
    rng = random.Random(seed)
    lengths = sorted((rng.randint(3, 120) for _ in range(rng.randint(1, 10))), reverse=True)
    overhead, cap = rng.choice([0, 10, 54, 500]), rng.choice([64, 256, 2048])
    chunks = plan_chunks(lengths, overhead, cap)
    allowed = [
        split
        for split in every_split(len(lengths))
        if all(stop - start == 1 or (stop - start) * lengths[start] <= cap for start, stop in split)
    ]
    assert chunks in allowed
    assert cost(lengths, chunks, overhead) == min(cost(lengths, split, overhead) for split in allowed)


def test_plan_covers_every_input_once_in_order() -> None:
    lengths = sorted((random.Random(1).randint(5, 300) for _ in range(500)), reverse=True)
    chunks = plan_chunks(lengths)
    assert chunks[0][0] == 0
    assert chunks[-1][1] == len(lengths)
    assert all(a[1] == b[0] for a, b in itertools.pairwise(chunks))
    assert all(stop - start == 1 or (stop - start) * lengths[start] <= 2048 for start, stop in chunks)


def test_overhead_trades_padding_for_fewer_calls() -> None:
    lengths = [40, 38, 30, 20, 12, 10, 9, 8]
    free_calls = plan_chunks(lengths, call_overhead_tokens=0)
    costly_calls = plan_chunks(lengths, call_overhead_tokens=1000)
    assert padded_tokens(lengths, free_calls) == sum(lengths)  # no padding when calls cost nothing
    assert costly_calls == [(0, len(lengths))]  # one call when calls cost more than any padding


def test_unsorted_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="sorted"):
        plan_chunks([3, 5])


def test_no_inputs_no_chunks() -> None:
    assert plan_chunks([]) == []


def test_encode_in_passes_returns_rows_in_input_order_and_reports_its_padding() -> None:
    token_ids = [[1] * length for length in (3, 40, 7, 40, 1)]
    passes: list[list[int]] = []

    def encode_pass(batch: TokenIds) -> Embeddings:
        passes.append([len(ids) for ids in batch])
        return np.array([[len(ids), 0.0] for ids in batch], dtype=np.float32)

    out, padding = encode_in_passes(token_ids, 2, encode_pass)
    assert out[:, 0].tolist() == [3, 40, 7, 40, 1]
    assert all(p == sorted(p, reverse=True) for p in passes)
    lengths = sorted((len(ids) for ids in token_ids), reverse=True)
    assert padding == Padding(real=sum(lengths), padded=padded_tokens(lengths, plan_chunks(lengths)))
    assert padding.ratio == pytest.approx(1 - padding.real / padding.padded)


def test_encode_in_passes_of_nothing_computes_nothing() -> None:
    out, padding = encode_in_passes([], 4, lambda batch: pytest.fail("no pass expected"))
    assert out.shape == (0, 4)
    assert (padding, padding.ratio) == (Padding(0, 0), 0.0)
