"""What identifies an answer: the validated request, the settings that shape answers, and the model.

The key is built from the whole validated request model dumped as canonical JSON, so an option added to
the request later changes the key without anyone remembering to add it here; only fields known not to
change the answer are left out. Validation is the normalisation: a text/plain body and the same text as
JSON, fields in any order, an option left out or sent as its default, all give one key. The text itself
is kept exactly (offsets in the answer index into it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from models import ModelInfo
from service.settings import Settings

# Request fields that never change a document's answer: a caller's label for the document.
ANSWER_NEUTRAL_FIELDS = frozenset({"id"})
# Bumped when the cached representation of a summary changes, so old entries in Redis are never read.
KEY_VERSION = "1"


def answer_context(info: ModelInfo, settings: Settings) -> dict[str, Any]:
    """The model's fingerprint and every setting that changes an answer, for ``result_key``."""
    return {
        "model": {
            "name": info.name,
            "version": info.version,
            "backend": info.backend,
            "fingerprint": info.fingerprint,
        },
        "default_bullets": settings.default_bullets,
        "generation": dataclasses.asdict(settings.generation_config()),
    }


def result_key(payload: BaseModel, context: Mapping[str, Any]) -> str:
    """A hex SHA-256 of the request (less its answer-neutral fields) and ``context``."""
    neutral = ANSWER_NEUTRAL_FIELDS & set(type(payload).model_fields)
    request = payload.model_dump(mode="json", exclude=set(neutral))
    canonical = json.dumps(
        {"v": KEY_VERSION, "request": request, "context": context},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
