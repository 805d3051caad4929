"""From a summarise body to a ``Document``: JSON or plain text, checked before any model work is queued."""

from __future__ import annotations

from typing import TypeVar

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from models import OFFSET_UNITS, Document, looks_like_html, title_line
from service.errors import ProblemError
from service.schemas import SummarizeRequest
from service.settings import Settings

JSON_TYPES = ("application/json",)
TEXT_TYPES = ("text/plain",)
HTML_TYPES = ("text/html",)
# A byte-order mark opening a text body is an encoding signature, not text: it is removed, and offsets
# count from the character after it.
BYTE_ORDER_MARK = "\ufeff"
_TEXT_CHARSETS = ("utf-8", "utf8", "us-ascii", "ascii")
ModelT = TypeVar("ModelT", bound=BaseModel)


def media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    kind, *params = (part.strip() for part in raw.split(";"))
    options = {}
    for param in params:
        key, _, value = param.partition("=")
        options[key.strip().lower()] = value.strip().strip('"').lower()
    return kind.lower(), options


def decode_utf8(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(
            400, "invalid-encoding", f"The body is not valid UTF-8 (byte {exc.start})."
        ) from exc


def validate_json(body: bytes, schema: type[ModelT]) -> ModelT:
    text = decode_utf8(body)
    try:
        return schema.model_validate_json(text)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from exc


async def read_summarize_request(request: Request) -> SummarizeRequest:
    """The single-document body: JSON, ``text/plain`` whose first line may be a headline, or ``text/html``.

    The query string's options (``offset_unit``, ``return_text``) are checked on every request; they
    are how a text body sets them, and a JSON body's own fields win over them.
    """
    kind, options = media_type(request)
    body = await request.body()
    fields: dict[str, object] = _query_options(request)
    if kind in JSON_TYPES or kind.endswith("+json"):
        payload = validate_json(body, SummarizeRequest)
        defaults = {k: v for k, v in fields.items() if k not in payload.model_fields_set}
        return payload.model_copy(update=defaults) if defaults else payload
    if kind in TEXT_TYPES or kind in HTML_TYPES:
        if options.get("charset", "utf-8") not in _TEXT_CHARSETS:
            raise ProblemError(415, "unsupported-charset", f"Send {kind} as UTF-8.")
        text = decode_utf8(body).removeprefix(BYTE_ORDER_MARK)
        if kind in HTML_TYPES:
            fields["html"] = text
        else:
            fields.update(text=text, title=plain_text_title(text))
        try:
            return SummarizeRequest.model_validate(fields)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors(include_input=False)) from exc
    raise ProblemError(
        415,
        "unsupported-media-type",
        f"Send application/json, text/plain or text/html, not {kind or 'a body without a content type'}.",
    )


def plain_text_title(text: str) -> str | None:
    """The headline line of a plain-text body; a page sent as text has none (its title is extracted)."""
    return None if looks_like_html(text) else title_line(text)


def _query_options(request: Request) -> dict[str, object]:
    """Options from the query string (``?offset_unit=utf16&return_text=true``), checked here."""
    options: dict[str, object] = {}
    query = request.query_params
    if "offset_unit" in query:
        if query["offset_unit"] not in OFFSET_UNITS:
            raise _bad_query("offset_unit", f"must be one of {', '.join(OFFSET_UNITS)}", "literal_error")
        options["offset_unit"] = query["offset_unit"]
    if "return_text" in query:
        flag = query["return_text"].lower()
        if flag not in ("true", "false", "1", "0"):
            raise _bad_query("return_text", "must be true or false", "bool_parsing")
        options["return_text"] = flag in ("true", "1")
    return options


def _bad_query(name: str, message: str, kind: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("query", name), "msg": message, "type": kind}])


def to_document(
    payload: SummarizeRequest,
    settings: Settings,
    index: int | None = None,
    *,
    text: str | None = None,
    title: str | None = None,
) -> Document:
    """Apply the service's limits and defaults; over-long text is refused, never cut.

    ``text``/``title``: what to summarise when it is not the payload's own text (a page's article).
    """
    text = text if text is not None else payload.text or ""
    title = title if title is not None else payload.title
    if len(text) > settings.max_characters:
        raise ProblemError(
            413,
            "document-too-large",
            f"The text has {len(text)} characters; the limit is {settings.max_characters}.",
            extra={"limit": settings.max_characters, "characters": len(text)},
        )
    min_bullets, max_bullets = payload.min_bullets, payload.max_bullets
    if min_bullets is None and max_bullets is None and settings.default_bullets is not None:
        min_bullets = max_bullets = settings.default_bullets
    _check_generation_limits(payload, settings, index)
    return Document(
        text=text,
        title=title,
        max_bullets=max_bullets,
        min_bullets=min_bullets,
        max_new_tokens=payload.max_new_tokens,
        num_beams=payload.num_beams,
        keep_unsupported=payload.keep_unsupported,
    )


def _check_generation_limits(payload: SummarizeRequest, settings: Settings, index: int | None) -> None:
    """A request may lower the configured generation cost, never raise it (422 with the limit)."""
    where = [] if index is None else ["documents", index]
    for field, requested, limit in (
        ("max_new_tokens", payload.max_new_tokens, settings.max_new_tokens),
        ("num_beams", payload.num_beams, settings.num_beams),
    ):
        if requested is not None and requested > limit:
            raise ProblemError(
                422,
                "invalid-request",
                f"{field} may be at most {limit} on this service (LEADLIST_{field.upper()}).",
                extra={
                    "limit": limit,
                    "errors": [
                        {
                            "loc": [*where, field],
                            "msg": f"must be <= {limit}",
                            "type": "less_than_equal",
                        }
                    ],
                },
            )
