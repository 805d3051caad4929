"""Cutting an encoder's inputs into forward passes that waste the least time, and padding each pass.

A padded forward pass costs about (rows x longest row) tokens of compute plus a fixed overhead per call
(module dispatch and thread hand-off: several milliseconds for MiniLM on two cores, the price of about
50 tokens). Chunks of a fixed number of sentences pad short sentences to long ones; one chunk per
sentence pays the overhead every time. The plan is the cheapest split of the length-sorted inputs into
contiguous chunks, found by dynamic programming, each chunk capped in padded tokens so the attention
buffers of one call stay small.

Both encoders run their token ids through :func:`encode_in_passes`, so sorting, planning and the padding
report they give the service are one piece of code whatever engine runs the passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from models.encoders.protocol import Embeddings, Padding

# What one more forward pass costs, in tokens of compute (MiniLM-L6, torch on two cores: ~7 ms / ~0.13 ms).
CALL_OVERHEAD_TOKENS = 54
# Largest padded chunk; throughput is flat from ~512 padded tokens up, memory is not.
MAX_PADDED_TOKENS = 2048

TokenIds = Sequence[Sequence[int]]


def encode_in_passes(
    token_ids: TokenIds, dimension: int, encode_pass: Callable[[TokenIds], Embeddings]
) -> tuple[Embeddings, Padding]:
    """One embedding row per input, in the order given, computed longest first in the planned passes;
    with the padding those passes computed."""
    out = np.zeros((len(token_ids), dimension), dtype=np.float32)
    order = sorted(range(len(token_ids)), key=lambda i: -len(token_ids[i]))
    lengths = [len(token_ids[i]) for i in order]
    chunks = plan_chunks(lengths)
    for start, stop in chunks:
        rows = order[start:stop]
        out[rows] = encode_pass([token_ids[i] for i in rows])
    return out, Padding(real=sum(lengths), padded=padded_tokens(lengths, chunks))


def plan_chunks(
    lengths: Sequence[int],
    call_overhead_tokens: int = CALL_OVERHEAD_TOKENS,
    max_padded_tokens: int = MAX_PADDED_TOKENS,
) -> list[tuple[int, int]]:
    """``(start, stop)`` ranges over ``lengths`` (sorted longest first) minimising total padded cost.

    A single input longer than ``max_padded_tokens`` gets a chunk of its own.
    """
    count = len(lengths)
    if any(lengths[i] < lengths[i + 1] for i in range(count - 1)):
        raise ValueError("lengths must be sorted longest first")
    best = [0.0] + [float("inf")] * count
    start_of = [0] * (count + 1)
    for stop in range(1, count + 1):
        for start in range(stop - 1, -1, -1):
            rows = stop - start
            if rows > 1 and rows * lengths[start] > max_padded_tokens:
                break  # longer chunks ending here only grow: lengths[start] rises as start falls
            cost = best[start] + call_overhead_tokens + rows * lengths[start]
            if cost < best[stop]:
                best[stop], start_of[stop] = cost, start
    chunks: list[tuple[int, int]] = []
    stop = count
    while stop > 0:
        chunks.append((start_of[stop], stop))
        stop = start_of[stop]
    return chunks[::-1]


def padded_tokens(lengths: Sequence[int], chunks: Sequence[tuple[int, int]]) -> int:
    """Tokens the forward passes of ``chunks`` compute, padding included."""
    return sum((stop - start) * lengths[start] for start, stop in chunks)


def pad_batch(token_ids: TokenIds, pad_id: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Input ids padded to the longest row, and the attention mask that hides the padding."""
    width = max(len(ids) for ids in token_ids)
    input_ids = np.full((len(token_ids), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(token_ids), width), dtype=np.int64)
    for row, ids in enumerate(token_ids):
        input_ids[row, : len(ids)] = ids
        mask[row, : len(ids)] = 1
    return input_ids, mask
