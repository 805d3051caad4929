"""The batcher's queue, admission and refusal answers on their own: no model, no event loop, no server."""

from __future__ import annotations

import json

import pytest

from models import Document, Job
from service.batching import (
    QueueFullError,
    RefusalError,
    RequestTooLargeError,
    ShuttingDownError,
)
from service.batching.admission import FALLBACK_TOKENS_PER_SECOND, Admission
from service.batching.queue import Priority, WorkQueue
from service.errors import REFUSAL_ANSWERS
from service.limits import limits_disagree, longest_finishable_characters
from service.settings import Settings


def job(*tokens: int) -> Job:
    return Job(
        document=Document("unused"),
        inputs=[f"input {i}" for i in range(len(tokens))],
        input_tokens=list(tokens),
    )


def test_take_serves_arrival_order_up_to_the_token_budget() -> None:
    queue = WorkQueue()
    first = queue.add([job(30, 30)], now=0.0)
    second = queue.add([job(50)], now=1.0)
    assert queue.queued_tokens == 110
    assert queue.oldest_enqueued_at == 0.0

    batch = queue.take(max_tokens=100)
    assert [(item.ticket, item.tokens) for item in batch] == [(first, 30), (first, 30)]
    assert queue.queued_tokens == 50
    assert [item.ticket for item in queue.take(max_tokens=100)] == [second]
    assert not queue.has_pending
    assert queue.take(max_tokens=100) == []


def test_an_input_over_the_budget_is_still_taken_alone() -> None:
    queue = WorkQueue()
    queue.add([job(500, 10)], now=0.0)
    assert [item.tokens for item in queue.take(max_tokens=100)] == [500]


def test_without_batching_a_call_never_mixes_requests() -> None:
    queue = WorkQueue()
    first = queue.add([job(10)], now=0.0)
    queue.add([job(10)], now=0.0)
    assert [item.ticket for item in queue.take(max_tokens=1000, across_requests=False)] == [first]


def test_deliver_fills_outputs_and_names_the_requests_it_finished() -> None:
    queue = WorkQueue()
    ticket = queue.add([job(10, 10), job(10)], now=0.0)
    first = queue.take(max_tokens=20)
    assert queue.deliver(first, ["a", "b"]) == []
    last = queue.take(max_tokens=20)
    assert queue.deliver(last, ["c"]) == [ticket]
    assert [j.outputs for j in ticket.jobs] == [["a", "b"], ["c"]]
    assert queue.active_requests == 1  # answered only when the worker settles it
    queue.forget(ticket)
    assert queue.active_requests == 0


def test_a_request_with_nothing_to_compute_is_finished_on_arrival() -> None:
    queue = WorkQueue()
    ticket = queue.add([job()], now=0.0)
    assert ticket.remaining == 0
    assert not queue.has_pending


def test_drop_removes_a_requests_queued_work_and_its_late_outputs_finish_nothing() -> None:
    queue = WorkQueue()
    kept = queue.add([job(10)], now=0.0)
    dropped = queue.add([job(20, 20)], now=0.0)
    running = queue.take(max_tokens=30)  # kept's input and one of dropped's are in the model call
    queue.drop(dropped)
    assert queue.queued_tokens == 0
    assert queue.active_requests == 1
    assert queue.deliver(running, ["x", "y"]) == [kept]


def test_clear_hands_back_every_open_request() -> None:
    queue = WorkQueue()
    tickets = {queue.add([job(10)], now=0.0), queue.add([job(10)], now=0.0)}
    queue.take(max_tokens=10)  # one in the model call, one still queued: both must be answered
    assert set(queue.clear()) == tickets
    assert (queue.active_requests, queue.queued_tokens, queue.has_pending) == (0, 0, False)


def test_every_change_is_reported() -> None:
    seen: list[tuple[int, int]] = []
    queue = WorkQueue(on_change=lambda requests, tokens: seen.append((requests, tokens)))
    ticket = queue.add([job(10, 5)], now=0.0)
    queue.take(max_tokens=10)
    queue.forget(ticket)
    assert seen[-3:] == [(1, 15), (1, 5), (0, 5)]


def test_admission_trusts_no_rate_until_it_has_measured_some_calls() -> None:
    admission = Admission()
    assert admission.tokens_per_second() is None
    admission.check(ahead=1000, queued=1000, tokens=1000, max_queue_tokens=4096, timeout_s=1e-6)  # no refusal
    assert admission.retry_after(queued=int(FALLBACK_TOKENS_PER_SECOND * 2.5)) == 3


def test_admission_refuses_work_that_would_finish_too_late() -> None:
    admission = Admission()
    for _ in range(4):
        admission.record(tokens=1000, seconds=1.0)
    assert admission.tokens_per_second() == 1000.0
    admission.check(
        ahead=0, queued=0, tokens=4000, max_queue_tokens=8192, timeout_s=1.0
    )  # an idle queue admits
    with pytest.raises(QueueFullError) as refused:
        admission.check(ahead=3000, queued=3000, tokens=1000, max_queue_tokens=8192, timeout_s=10.0)
    assert refused.value.retry_after_s == 3
    with pytest.raises(QueueFullError):
        admission.check_estimate(
            ahead=3000, estimate=Admission.estimate_tokens([Document("x" * 5000)]), timeout_s=10.0
        )
    admission.check_estimate(
        ahead=100, estimate=Admission.estimate_tokens([Document("x" * 500)]), timeout_s=10.0
    )


def test_admission_refuses_what_could_never_fit_and_what_does_not_fit_now() -> None:
    admission = Admission()
    with pytest.raises(RequestTooLargeError):
        admission.check(ahead=0, queued=0, tokens=5000, max_queue_tokens=4096, timeout_s=30.0)
    with pytest.raises(QueueFullError):
        admission.check(ahead=4000, queued=4000, tokens=100, max_queue_tokens=4096, timeout_s=30.0)


def test_fair_take_gives_a_request_one_slice_finishes_a_call_of_its_own_then_the_long_one_a_slice() -> None:
    queue = WorkQueue()
    long = queue.add([job(*[50] * 40)], now=0.0)
    short = queue.add([job(30, 30)], now=1.0)
    first = queue.take_fair(max_tokens=1000, slice_tokens=100)
    # The short request finishes in this call, without waiting for a slice of the long one as well.
    assert [item.ticket for item in first] == [short, short]
    later = queue.take_fair(max_tokens=1000, slice_tokens=100)
    assert [item.ticket for item in later] == [long, long]  # and the long one advances in the next
    assert queue.queued_tokens == 50 * 38


def test_fair_take_never_passes_a_long_request_over_twice_in_a_row() -> None:
    queue = WorkQueue()
    long = queue.add([job(*[50] * 40)], now=0.0)
    first_short = queue.add([job(30)], now=1.0)
    assert [item.ticket for item in queue.take_fair(max_tokens=1000, slice_tokens=100)] == [first_short]
    # Another short request arrived meanwhile: the long one was passed over last time, so both run now.
    second_short = queue.add([job(30)], now=2.0)
    both = queue.take_fair(max_tokens=1000, slice_tokens=100)
    assert [item.ticket for item in both] == [long, long, second_short]
    third_short = queue.add([job(30)], now=3.0)
    assert [item.ticket for item in queue.take_fair(max_tokens=1000, slice_tokens=100)] == [third_short]
    assert [item.ticket for item in queue.take_fair(max_tokens=1000, slice_tokens=100)] == [long, long]


def test_fair_take_serves_the_request_served_longest_ago_first_and_fills_the_call() -> None:
    queue = WorkQueue()
    a, b, c = (queue.add([job(10, 10, 10)], now=float(i)) for i in range(3))
    assert [item.ticket for item in queue.take_fair(max_tokens=20, slice_tokens=10)] == [a, b]
    # c has waited longest now; a and b were just served.
    assert [item.ticket for item in queue.take_fair(max_tokens=20, slice_tokens=10)] == [c, a]


def test_fair_take_runs_batch_priority_only_when_no_interactive_work_waits() -> None:
    queue = WorkQueue()
    batch = queue.add([job(10)], now=0.0, priority=Priority.BATCH)
    interactive = queue.add([job(10, 10)], now=1.0)
    assert [item.ticket for item in queue.take_fair(max_tokens=100, slice_tokens=10)] == [interactive]
    assert [item.ticket for item in queue.take_fair(max_tokens=100, slice_tokens=10)] == [interactive]
    assert [item.ticket for item in queue.take_fair(max_tokens=100, slice_tokens=10)] == [batch]


def test_batch_priority_is_refused_before_interactive() -> None:
    admission = Admission()
    for _ in range(4):
        admission.record(tokens=1000, seconds=1.0)
    # 3 s of work ahead against a 30 s deadline: inside an interactive request's share, not a batch one's.
    checks = {"ahead": 3000, "queued": 3000, "tokens": 1000, "max_queue_tokens": 100_000, "timeout_s": 30.0}
    admission.check(**checks, priority=Priority.INTERACTIVE)  # type: ignore[arg-type]
    with pytest.raises(QueueFullError):
        admission.check(**checks, priority=Priority.BATCH)  # type: ignore[arg-type]


def test_call_cost_separates_the_fixed_cost_from_the_per_token_cost() -> None:
    admission = Admission()
    for tokens in (100, 200, 300, 400):
        admission.record(tokens=tokens, seconds=0.01 + tokens * 0.0001)
    fixed, per_token = admission.call_cost() or (0.0, 0.0)
    assert fixed == pytest.approx(0.01)
    assert per_token == pytest.approx(0.0001)


def all_refusals(base: type[RefusalError] = RefusalError) -> set[type[RefusalError]]:
    found = set()
    for subclass in base.__subclasses__():
        found |= {subclass, *all_refusals(subclass)}
    return found


def test_every_refusal_has_an_http_answer() -> None:
    assert all_refusals() == set(REFUSAL_ANSWERS)


def test_refusal_answers_carry_their_retry_after_and_extras() -> None:
    full = REFUSAL_ANSWERS[QueueFullError].response(QueueFullError(7))
    assert (full.status_code, full.headers["retry-after"]) == (429, "7")
    draining = REFUSAL_ANSWERS[ShuttingDownError].response(ShuttingDownError("stopping"))
    assert (draining.status_code, draining.headers["retry-after"]) == (503, "1")
    large = REFUSAL_ANSWERS[RequestTooLargeError].response(RequestTooLargeError(5000, 4096))
    body = json.loads(bytes(large.body))
    assert body["detail"] == "The request needs 5000 model tokens; at most 4096 can be queued."
    assert (body["limit"], body["tokens"]) == (4096, 5000)
    assert "retry-after" not in large.headers


def test_default_limits_agree_and_a_mismatch_is_named() -> None:
    defaults = Settings()
    assert limits_disagree(defaults) is None
    assert defaults.max_characters <= longest_finishable_characters(defaults.request_timeout_s)
    warning = limits_disagree(Settings(request_timeout_s=5))
    assert warning is not None
    assert "LEADLIST_MAX_CHARACTERS" in warning
    assert "LEADLIST_REQUEST_TIMEOUT_S" in warning
