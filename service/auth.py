"""API keys: ``Authorization: Bearer <key>`` on every route but the probes and the metrics scrape.

Keys come from ``LEADLIST_API_KEYS`` (comma-separated, or the path of a mounted secret file with one
key a line). They are compared in constant time against every configured key, so neither a match nor
its position leaks through timing, and they are only ever named by a short SHA-256 prefix.
"""

from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

from starlette.types import ASGIApp, Receive, Scope, Send

from service import metrics
from service.errors import problem_response
from service.health import OPERATIONS_PATHS


def key_id(key: str) -> str:
    """A label for logs and metrics that identifies a key without revealing it."""
    return hashlib.sha256(key.encode()).hexdigest()[:8]


def load_keys(setting: str | None) -> list[str]:
    """Keys from the setting: a readable file's lines, or a comma-separated list."""
    if not setting or not setting.strip():
        return []
    candidate = Path(setting.strip())
    if "," not in setting and candidate.is_file():
        lines = candidate.read_text().splitlines()
    else:
        lines = setting.split(",")
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


class ApiKeyAuth:
    def __init__(self, app: ASGIApp, keys: list[str]) -> None:
        self.app = app
        self._keys = [(key.encode(), key_id(key)) for key in keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in OPERATIONS_PATHS:
            await self.app(scope, receive, send)
            return
        presented = _bearer(scope)
        challenge = {"WWW-Authenticate": 'Bearer realm="leadlist"'}
        if presented is None:
            response = problem_response(401, "unauthorized", "Send Authorization: Bearer <key>.", challenge)
            await response(scope, receive, send)
            return
        matched: str | None = None
        for key, identity in self._keys:
            # Every key is compared, so the time taken does not say which one (if any) matched.
            if hmac.compare_digest(presented, key):
                matched = identity
        if matched is None:
            challenge["WWW-Authenticate"] += ', error="invalid_token"'
            response = problem_response(403, "forbidden", "The API key is not valid.", challenge)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})["key_id"] = matched
        metrics.AUTHENTICATED.labels(key_id=matched).inc()
        await self.app(scope, receive, send)


def _bearer(scope: Scope) -> bytes | None:
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            scheme, _, token = value.partition(b" ")
            if scheme.lower() == b"bearer" and token.strip():
                return bytes(token.strip())
    return None
