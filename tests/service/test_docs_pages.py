"""/docs and /redoc work with no internet: every script, stylesheet and icon they load is served by
the app itself, from an installed package."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

ASSET_TYPES = {".js": "javascript", ".css": "text/css", ".png": "image/png"}


class AssetLinks(HTMLParser):
    """Every URL a page loads: script src, link href (stylesheets, icons), and the spec URL it reads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for attribute in ("src", "href", "spec-url"):
            value = values.get(attribute)
            if value:
                self.urls.append(value)


def page_assets(client: TestClient, path: str) -> list[str]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    parser = AssetLinks()
    parser.feed(response.text)
    assert "cdn" not in response.text.lower()
    assert "fonts.googleapis" not in response.text
    return parser.urls


@pytest.mark.parametrize(
    ("page", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc.standalone.js")]
)
def test_docs_pages_load_only_from_the_app(client: TestClient, page: str, script: str) -> None:
    urls = page_assets(client, page)
    assert any(url.endswith(script) for url in urls), urls
    for url in urls:
        parts = urlsplit(url)
        assert not parts.scheme, f"{page} loads {url} from another host"
        assert not parts.netloc, f"{page} loads {url} from another host"
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 1000, url
        suffix = url[url.rfind(".") :]
        if suffix in ASSET_TYPES:
            assert ASSET_TYPES[suffix] in response.headers["content-type"], url


def test_swagger_ui_reads_the_live_openapi_document(client: TestClient) -> None:
    page = client.get("/docs").text
    assert "url: '/openapi.json'" in page
    assert '"validatorUrl": null' in page  # no spec sent to an outside validator
    assert client.get("/openapi.json").json()["info"]["title"] == "leadlist"
