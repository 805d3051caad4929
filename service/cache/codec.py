"""A summary as compact JSON bytes and back, for the in-process cache (its size) and for Redis.

The test of this module round-trips a real summary and compares it field by field, so a field added to
``Summary``, ``Bullet`` or ``Usage`` that JSON cannot carry back is caught there.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from models import Bullet, Summary, Usage


def encode(summary: Summary) -> bytes:
    return json.dumps(dataclasses.asdict(summary), separators=(",", ":"), ensure_ascii=False).encode()


def decode(raw: bytes) -> Summary:
    data: dict[str, Any] = json.loads(raw)
    bullets = [
        Bullet(
            **{
                **bullet,
                "sources": tuple(tuple(span) for span in bullet["sources"]),
                "unsupported_facts": tuple(bullet["unsupported_facts"]),
            }
        )
        for bullet in data["bullets"]
    ]
    # Every other field as stored, so a field added to Summary later survives the round trip.
    return Summary(**{**data, "bullets": bullets, "usage": Usage(**data["usage"])})
