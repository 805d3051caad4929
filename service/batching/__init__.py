"""The micro-batcher: model work from concurrent requests, gathered into few, well-shaped model calls.

On a CPU the encoder's cost is set by how its forward passes are shaped, so one worker owns the model:
requests enqueue their inputs (sentences) and await a future; the worker takes the oldest queued inputs,
from as many requests as fit in ``max_batch_tokens``, and hands them to the model in one call, which
sorts them by length into forward passes with little padding. The queue is bounded in tokens and in
time: past either bound a request is refused at once (429) instead of waiting without end, and each
request has a deadline (504) after which its queued work is dropped, as it is when the client goes away.

Three parts, along the seams text-generation-inference and BentoML draw: ``queue`` (inputs and their
tokens; synchronous, no model), ``admission`` (the measured rate, refusals and ``Retry-After``) and
``worker`` (the scheduler loop, the model thread, drain). ``refusals`` names every way a request is
turned away; ``service.errors`` maps each to its HTTP answer.
"""

from service.batching.queue import Priority
from service.batching.refusals import (
    ClientDisconnectedError,
    DeadlineExceededError,
    QueueFullError,
    RefusalError,
    RequestTooLargeError,
    ShuttingDownError,
)
from service.batching.worker import BatchingConfig, BatchQueue

__all__ = [
    "BatchQueue",
    "BatchingConfig",
    "ClientDisconnectedError",
    "DeadlineExceededError",
    "Priority",
    "QueueFullError",
    "RefusalError",
    "RequestTooLargeError",
    "ShuttingDownError",
]
