"""Real-world input through the HTTP API: pages, markup sent as text, other languages, offset units and
the warnings that say what limited a summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

import models
from load._pages import build_page
from load._stories import BRIDGE, BRIDGE_TITLE, STORM
from models import OFFSET_UNITS, WARNING_CODES, OffsetUnit, Summariser, encode_for
from service.cli import main
from tests.support.foreign import FRENCH, GERMAN
from tests.unit.test_offsets import SAMPLES


def _squash(text: str) -> str:
    return " ".join(text.split())


def _codes(body: dict[str, Any]) -> list[str]:
    return [warning["code"] for warning in body["warnings"]]


def _warnings_total(code: str) -> float:
    return REGISTRY.get_sample_value("leadlist_warnings_total", {"code": code}) or 0.0


def _page() -> Any:
    return build_page(BRIDGE_TITLE, BRIDGE, STORM, seed=1)


def test_a_plain_english_story_has_no_warnings_and_its_language(client: TestClient) -> None:
    body = client.post("/v1/summarize", json={"text": BRIDGE, "title": BRIDGE_TITLE}).json()
    assert body["warnings"] == []
    assert body["offset_unit"] == "codepoint"
    assert body["usage"]["language"] == "en"
    assert "text" not in body


def test_a_page_with_boilerplate_gives_article_bullets_whose_html_offsets_slice_back(
    client: TestClient,
) -> None:
    page = _page()
    response = client.post("/v1/summarize", json={"html": page.html, "return_text": True})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["warnings"] == []
    assert body["title"] == BRIDGE_TITLE
    assert body["bullets"]
    for bullet in body["bullets"]:
        assert _squash(bullet["text"]) in _squash(
            page.body
        )  # the story, never the banner, comments or footer
        assert body["text"][bullet["start"] : bullet["end"]] == bullet["text"]
        assert render_text(page.html[bullet["html_start"] : bullet["html_end"]]) == bullet["text"]


def render_text(html: str) -> str:
    from models.text.markup import render

    return " ".join(render(html).text.split())


def test_a_text_html_body_is_extracted_and_a_byte_order_mark_is_dropped(client: TestClient) -> None:
    page = _page()
    response = client.post(
        "/v1/summarize?offset_unit=utf16&return_text=true",
        content=("\ufeff" + page.html).encode("utf-8"),
        headers={"content-type": "text/html; charset=utf-8"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["offset_unit"] == "utf16"
    for bullet in body["bullets"]:
        # Offsets count from the character after the mark.
        assert render_text(page.html[bullet["html_start"] : bullet["html_end"]]) == bullet["text"]


def test_a_text_plain_byte_order_mark_is_dropped_and_offsets_count_after_it(client: TestClient) -> None:
    text = SAMPLES["emoji"]
    response = client.post(
        "/v1/summarize?offset_unit=utf16&return_text=true",
        content=("\ufeff" + text).encode("utf-8"),
        headers={"content-type": "text/plain"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["text"] == text
    encoded = encode_for(text, "utf16")
    for bullet in body["bullets"]:
        assert encoded[bullet["start"] * 2 : bullet["end"] * 2] == encode_for(bullet["text"], "utf16")


def test_markup_sent_as_text_is_extracted_with_a_warning_and_never_a_markup_bullet(
    client: TestClient,
) -> None:
    page = _page()
    before = _warnings_total("html_extracted")
    for response in (
        client.post("/v1/summarize", content=page.html, headers={"content-type": "text/plain"}),
        client.post("/v1/summarize", json={"text": page.html}),
    ):
        assert response.status_code == 200, response.text
        body = response.json()
        assert _codes(body) == ["html_extracted"]
        assert body["bullets"]
        assert not any("<" in b["text"] or "DOCTYPE" in b["text"] for b in body["bullets"])
        assert all(_squash(b["text"]) in _squash(page.body) for b in body["bullets"])
        assert all("html_start" in b for b in body["bullets"])
    assert _warnings_total("html_extracted") == before + 2


@pytest.mark.parametrize(("story", "language"), [(GERMAN, "de"), (FRENCH, "fr")])
def test_a_story_in_another_language_is_answered_with_a_warning(
    client: TestClient, story: str, language: str
) -> None:
    before = _warnings_total("language_unsupported")
    body = client.post("/v1/summarize", json={"text": story}).json()
    assert body["usage"]["language"] == language
    assert _codes(body) == ["language_unsupported"]
    assert body["bullets"]  # still answered: the article's own sentences
    assert _warnings_total("language_unsupported") == before + 1


def test_text_without_sentence_punctuation_is_flagged(client: TestClient) -> None:
    transcript = "\n".join(
        [
            "so the council met on tuesday and voted seven to two for the new bridge",
            "the mayor said the state grant would pay for most of it",
            "construction should start in march and take about two years",
            "some residents worry about trucks on their streets",
        ]
    )
    body = client.post("/v1/summarize", json={"text": transcript}).json()
    assert "no_sentence_punctuation" in _codes(body)


def test_a_sentence_over_the_encoder_window_is_flagged(client: TestClient) -> None:
    table = "Quarterly results by region: " + ", ".join(f"R{i} {i}.{i * 7}%" for i in range(70)) + "."
    body = client.post("/v1/summarize", json={"text": f"{table}\n{BRIDGE}"}).json()
    assert body["usage"]["truncated"] is True
    assert "sentence_truncated" in _codes(body)


def test_fragments_that_give_fewer_bullets_than_asked_say_so(client: TestClient) -> None:
    before = _warnings_total("fewer_bullets_than_asked")
    headlines = "Live updates\nMarkets open\nWeather"
    body = client.post("/v1/summarize", json={"text": headlines, "min_bullets": 3}).json()
    assert len(body["bullets"]) < 3
    assert "fewer_bullets_than_asked" in _codes(body)
    short = "The council approved the bridge on Tuesday. Work starts in March."
    body = client.post("/v1/summarize", json={"text": short, "max_bullets": 5}).json()
    assert _codes(body) == ["fewer_bullets_than_asked"]
    assert _warnings_total("fewer_bullets_than_asked") == before + 2


def test_every_warning_code_is_exported_from_the_first_scrape(client: TestClient) -> None:
    text = client.get("/metrics").text
    for code in WARNING_CODES:
        assert f'leadlist_warnings_total{{code="{code}"}}' in text


@pytest.mark.parametrize("unit", OFFSET_UNITS)
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_offsets_slice_the_text_in_the_unit_asked_for(
    client: TestClient, name: str, unit: OffsetUnit
) -> None:
    text = SAMPLES[name]
    body = client.post("/v1/summarize", json={"text": text, "offset_unit": unit, "max_bullets": 2}).json()
    assert body["offset_unit"] == unit
    assert body["bullets"]
    encoded = encode_for(text, unit)
    width = 2 if unit == "utf16" else 1
    for bullet in body["bullets"]:
        piece = encoded[bullet["start"] * width : bullet["end"] * width]
        assert piece == encode_for(bullet["text"], unit)


@pytest.mark.parametrize("unit", ["utf16", "utf8"])
def test_html_offsets_are_in_the_unit_asked_for(client: TestClient, unit: OffsetUnit) -> None:
    html = (
        "<html><body><article><h1>Fans 🎉 celebrate</h1>"
        "<p>Fans of the 🇫🇷 team cheered &amp; sang 👨‍👩‍👧 songs in the <b>main</b> square on Sunday.<br>"
        "The coach said the win was deserved after a hard season.</p></article></body></html>"
    )
    body = client.post("/v1/summarize", json={"html": html, "offset_unit": unit}).json()
    encoded = encode_for(html, unit)
    width = 2 if unit == "utf16" else 1
    assert body["bullets"]
    for bullet in body["bullets"]:
        piece = encoded[bullet["html_start"] * width : bullet["html_end"] * width]
        decoded = piece.decode("utf-16-le" if unit == "utf16" else "utf-8")  # type: ignore[union-attr]
        assert render_text(decoded) == bullet["text"]


def test_batch_documents_accept_html_and_carry_their_own_warnings(client: TestClient) -> None:
    page = _page()
    response = client.post(
        "/v1/summarize/batch",
        json={
            "documents": [
                {"id": "page", "html": page.html},
                {"text": GERMAN},
                {"text": STORM, "offset_unit": "utf8"},
                {"id": "empty-page", "html": EMPTY_PAGE},
            ]
        },
    )
    assert response.status_code == 200, response.text
    first, second, third, fourth = response.json()["results"]
    assert first["warnings"] == []
    assert first["id"] == "page"
    assert all("html_start" in b for b in first["bullets"])
    assert _codes(second) == ["language_unsupported"]
    assert third["offset_unit"] == "utf8"
    # A page with nothing to read is refused on its own, in its place; the others are answered.
    assert fourth["status"] == 422
    assert fourth["type"] == "urn:leadlist:problem:no-article-text"
    assert (fourth["index"], fourth["id"]) == (3, "empty-page")


@pytest.mark.parametrize(
    "payload",
    [
        {"text": BRIDGE, "html": "<p>Both.</p>"},
        {"title": "Neither"},
        {"text": BRIDGE, "offset_unit": "bytes"},
    ],
)
def test_text_and_html_are_exclusive_and_the_unit_is_checked(
    client: TestClient, payload: dict[str, Any]
) -> None:
    response = client.post("/v1/summarize", json=payload)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


EMPTY_PAGE = "<html><head><script>track()</script><style>p{}</style></head><body><img src=x></body></html>"


def test_a_page_that_shows_no_text_is_a_clear_422(client: TestClient) -> None:
    for response in (
        client.post("/v1/summarize", json={"html": EMPTY_PAGE}),
        client.post("/v1/summarize", content=EMPTY_PAGE, headers={"content-type": "text/html"}),
    ):
        assert response.status_code == 422
        assert response.json()["type"] == "urn:leadlist:problem:no-article-text"


def test_the_cli_summarises_a_saved_page_like_the_api_and_reports_the_warning(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    summariser: Summariser,
    client: TestClient,
) -> None:
    monkeypatch.setattr(models, "load_summariser", lambda *_, **__: summariser)
    page = _page()
    path = tmp_path / "page.html"
    path.write_text(page.html, encoding="utf-8")
    assert main(["summarize", str(path)]) == 0
    captured = capsys.readouterr()
    api = client.post("/v1/summarize", json={"text": page.html}).json()
    assert captured.out.splitlines() == [f"- {b['text']}" for b in api["bullets"]]
    assert "warning html_extracted" in captured.err


@pytest.mark.parametrize("query", ["offset_unit=bytes", "return_text=", "return_text=maybe"])
def test_query_options_are_checked_for_every_body(client: TestClient, query: str) -> None:
    for kwargs in (
        {"json": {"text": BRIDGE}},
        {"content": BRIDGE, "headers": {"content-type": "text/plain"}},
    ):
        response = client.post(f"/v1/summarize?{query}", **kwargs)  # type: ignore[arg-type]
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][0] == "query"


def test_a_json_body_field_wins_over_the_query_string(client: TestClient) -> None:
    body = client.post("/v1/summarize?offset_unit=utf16", json={"text": BRIDGE}).json()
    assert body["offset_unit"] == "utf16"
    body = client.post("/v1/summarize?offset_unit=utf16", json={"text": BRIDGE, "offset_unit": "utf8"}).json()
    assert body["offset_unit"] == "utf8"
