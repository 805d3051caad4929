"""The result cache through the HTTP API: hits, misses, coalescing, eviction, its key, and Redis."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, STORM
from models import Document, Summariser, summarise
from models.extractive.ranker import SentenceRanker
from models.extractive.summariser import ExtractiveSummariser
from service.app import create_app
from service.cache import answer_context, codec, result_key
from service.schemas import SummarizeRequest
from service.settings import Settings
from tests.support.app import wait_ready
from tests.support.live import live_server
from tests.support.redis import redis_server

HIT = "leadlist; hit"
STORED = "leadlist; fwd=miss; stored"


def sample(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


@pytest.fixture
def cached(summariser: Summariser) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(cache_mb=8), summariser=summariser)) as client:
        wait_ready(client)
        yield client


def test_second_identical_request_is_a_hit_with_the_same_answer(cached: TestClient) -> None:
    hits, misses = (
        sample("leadlist_cache_hits_total", {"tier": "memory"}),
        sample("leadlist_cache_misses_total"),
    )
    documents = sample("leadlist_documents_total")
    first = cached.post("/v1/summarize", json={"text": BRIDGE, "title": BRIDGE_TITLE})
    second = cached.post("/v1/summarize", json={"title": BRIDGE_TITLE, "text": BRIDGE, "max_bullets": None})
    assert (first.status_code, second.status_code) == (200, 200)
    assert (first.headers["cache-status"], second.headers["cache-status"]) == (STORED, HIT)
    assert second.json() == first.json()
    assert sample("leadlist_cache_hits_total", {"tier": "memory"}) == hits + 1
    assert sample("leadlist_cache_misses_total") == misses + 1
    assert sample("leadlist_documents_total") == documents + 1  # the model ran once
    # The same article as text/plain, its first line the title, is the same request once validated.
    plain = cached.post(
        "/v1/summarize", content=f"{BRIDGE_TITLE}\n{BRIDGE}", headers={"Content-Type": "text/plain"}
    )
    assert plain.headers["cache-status"] in {HIT, STORED}


def test_options_change_the_answer_and_so_the_key(cached: TestClient) -> None:
    body = {"text": STORM}
    assert cached.post("/v1/summarize", json=body).headers["cache-status"] in {HIT, STORED}
    fewer = cached.post("/v1/summarize", json={**body, "max_bullets": 1})
    assert fewer.headers["cache-status"] == STORED
    assert len(fewer.json()["bullets"]) == 1
    assert cached.post("/v1/summarize", json={**body, "max_bullets": 1}).headers["cache-status"] == HIT


def test_batch_documents_are_cached_one_by_one(cached: TestClient) -> None:
    cached.post("/v1/summarize", json={"text": LONG_STORY})
    response = cached.post(
        "/v1/summarize/batch", json={"documents": [{"text": LONG_STORY}, {"text": LONG_STORY, "title": "x"}]}
    )
    assert response.status_code == 200
    assert response.headers["cache-status"] == f'{STORED}; detail="1 of 2 hit"'
    again = cached.post("/v1/summarize/batch", json={"documents": [{"text": LONG_STORY, "title": "x"}]})
    assert again.headers["cache-status"] == HIT


def test_least_recently_used_results_are_evicted_within_the_byte_bound(summariser: Summariser) -> None:
    limit_mb = 0.004  # room for two or three small answers
    evictions = sample("leadlist_cache_evictions_total")
    with TestClient(create_app(Settings(cache_mb=limit_mb), summariser=summariser)) as client:
        wait_ready(client)
        editions = [{"text": BRIDGE, "title": f"Edition {i}"} for i in range(6)]
        statuses = [client.post("/v1/summarize", json=body).headers["cache-status"] for body in editions]
        assert statuses == [STORED] * 6
        assert sample("leadlist_cache_evictions_total") > evictions
        assert 0 < sample("leadlist_cache_bytes") <= limit_mb * 2**20
        newest = client.post("/v1/summarize", json={"text": BRIDGE, "title": "Edition 5"})
        oldest = client.post("/v1/summarize", json={"text": BRIDGE, "title": "Edition 0"})
        assert (newest.headers["cache-status"], oldest.headers["cache-status"]) == (HIT, STORED)


def test_off_means_every_request_is_computed(client: TestClient) -> None:
    # The shared test client runs with LEADLIST_CACHE_MB=0.
    assert (
        client.post("/v1/summarize", json={"text": STORM}).headers["cache-status"] == "leadlist; fwd=bypass"
    )


@pytest.mark.live
def test_identical_concurrent_requests_are_computed_once(summariser: Summariser) -> None:
    text = " ".join([LONG_STORY] * 6)  # long enough that the copies arrive while the first computes
    coalesced = sample("leadlist_cache_coalesced_total")
    with live_server(Settings(cache_mb=8), summariser) as base, ThreadPoolExecutor(4) as pool:
        documents = sample("leadlist_documents_total")  # after the warm-up document
        responses = list(
            pool.map(lambda _: httpx.post(f"{base}/v1/summarize", json={"text": text}, timeout=120), range(4))
        )
    assert [r.status_code for r in responses] == [200] * 4
    statuses = sorted(r.headers["cache-status"] for r in responses)
    assert statuses.count(STORED) == 1
    assert set(statuses) - {STORED} <= {HIT, "leadlist; fwd=miss; collapsed"}
    assert sample("leadlist_documents_total") == documents + 1
    collapsed = statuses.count("leadlist; fwd=miss; collapsed")
    assert sample("leadlist_cache_coalesced_total") == coalesced + collapsed
    assert all(r.json() == responses[0].json() for r in responses)


def test_key_covers_the_request_the_settings_and_the_model(summariser: Summariser) -> None:
    request = SummarizeRequest(text=STORM, title="Storm")
    context = answer_context(summariser.info, Settings())
    key = result_key(request, context)
    assert result_key(SummarizeRequest(title="Storm", text=STORM), context) == key
    assert result_key(SummarizeRequest(text=STORM, title="Storm", max_bullets=2), context) != key
    assert result_key(request, answer_context(summariser.info, Settings(default_bullets=2))) != key
    for change in ({"version": "2"}, {"fingerprint": "other"}, {"backend": "OnnxEncoder"}):
        other = dataclasses.replace(summariser.info, **change)
        assert result_key(request, answer_context(other, Settings())) != key


def other_ranker(summariser: Summariser) -> Summariser:
    """The same encoder with a ranker whose title weight differs: another model to the cache."""
    assert isinstance(summariser, ExtractiveSummariser)
    ranker = summariser.ranker
    params = dataclasses.replace(ranker.params, title_weight=ranker.params.title_weight + 1)
    return ExtractiveSummariser(summariser.encoder, SentenceRanker(params, ranker.salience))


@pytest.mark.live
def test_redis_shares_results_between_replicas_of_one_model_only(summariser: Summariser) -> None:
    with redis_server() as url:
        settings = Settings(cache_mb=8, cache_url=url)
        body = {"text": BRIDGE, "title": BRIDGE_TITLE}
        hits = sample("leadlist_cache_hits_total", {"tier": "redis"})
        with live_server(settings, summariser) as first:
            assert httpx.post(f"{first}/v1/summarize", json=body).headers["cache-status"] == STORED
        # A new replica with an empty in-process cache finds the answer in Redis.
        with live_server(settings, summariser) as second:
            shared = httpx.post(f"{second}/v1/summarize", json=body)
        assert shared.headers["cache-status"] == HIT
        assert sample("leadlist_cache_hits_total", {"tier": "redis"}) == hits + 1
        # A replica whose ranker differs must not take that answer.
        with live_server(settings, other_ranker(summariser)) as other:
            assert httpx.post(f"{other}/v1/summarize", json=body).headers["cache-status"] == STORED


@pytest.mark.live
def test_redis_down_never_fails_a_request(summariser: Summariser) -> None:
    with redis_server() as url:
        pass  # started and stopped: nothing listens on its port now
    errors = sample("leadlist_cache_errors_total", {"op": "get"})
    with live_server(Settings(cache_mb=8, cache_url=url), summariser) as base:
        first = httpx.post(f"{base}/v1/summarize", json={"text": STORM, "title": "Storm"})
        second = httpx.post(f"{base}/v1/summarize", json={"text": STORM, "title": "Storm"})
    assert (first.status_code, second.status_code) == (200, 200)
    assert first.headers["cache-status"] == STORED
    assert second.headers["cache-status"] == HIT  # the in-process tier still works
    assert sample("leadlist_cache_errors_total", {"op": "get"}) >= errors + 1


def test_codec_round_trips_every_field(summariser: Summariser) -> None:
    [summary] = summarise(summariser, [Document(BRIDGE, title=BRIDGE_TITLE)])
    assert codec.decode(codec.encode(summary)) == summary
