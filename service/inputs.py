"""Real-world input around the model: HTML in, warnings and offsets in the caller's unit out.

``prepare_input`` turns a checked request into the ``Document`` the model reads: a page (sent as html,
or detected in text) becomes its extracted article; the text's language and what it lacks become
warnings. ``respond`` turns the summary back into the response: offsets converted into the caller's unit,
``html_start``/``html_end`` mapped into the page, and every warning counted in
``leadlist_warnings_total``.
"""

from __future__ import annotations

from dataclasses import dataclass

from models import (
    HTML_EXTRACTED,
    Article,
    Bullet,
    Document,
    OffsetConverter,
    OffsetUnit,
    Summary,
    SummaryWarning,
    detect_language,
    extract_article,
    input_warnings,
    looks_like_html,
    summary_warnings,
)
from service import metrics
from service.documents import to_document
from service.errors import ProblemError
from service.schemas import BulletOut, ModelRef, SummarizeRequest, SummarizeResponse, UsageOut, WarningOut
from service.settings import Settings


@dataclass(frozen=True, slots=True)
class PreparedInput:
    document: Document
    # Set when the input was HTML: the page as sent and its article's mapping into it.
    html: str | None
    article: Article | None
    language: str | None
    warnings: list[SummaryWarning]
    offset_unit: OffsetUnit
    return_text: bool


def needs_extraction(html: object, text: object) -> bool:
    """Whether reading a document with these fields parses HTML (worth moving off the event loop); takes
    the fields as sent, so a batch can ask before its documents are validated."""
    return html is not None or (isinstance(text, str) and looks_like_html(text))


def prepare_input(payload: SummarizeRequest, settings: Settings, index: int | None = None) -> PreparedInput:
    warnings: list[SummaryWarning] = []
    html = payload.html
    if html is None and payload.text is not None and looks_like_html(payload.text):
        html = payload.text
        warnings.append(
            SummaryWarning(
                HTML_EXTRACTED,
                "The text is HTML: its article was extracted and summarised, and bullets carry "
                "html_start/html_end into it. Send pages in the html field or as text/html.",
            )
        )
    article = None
    text, title = payload.text or "", payload.title
    if html is not None:
        article = extract_article(html)
        if article is None:
            raise ProblemError(422, "no-article-text", "The HTML shows no text to summarise.")
        text, title = article.text, payload.title or article.title
    document = to_document(payload, settings, index, text=text, title=title)
    language = detect_language(text)
    warnings.extend(input_warnings(text, language))
    return PreparedInput(
        document=document,
        html=html,
        article=article,
        language=language,
        warnings=warnings,
        offset_unit=payload.offset_unit,
        return_text=payload.return_text,
    )


def respond(prepared: PreparedInput, summary: Summary, model: ModelRef, generated: bool) -> SummarizeResponse:
    warnings = prepared.warnings + summary_warnings(prepared.document, summary)
    for warning in warnings:
        metrics.WARNINGS.labels(code=warning.code).inc()
    usage = UsageOut.from_usage(summary.usage, generated=generated).model_copy(
        update={"language": prepared.language}
    )
    return SummarizeResponse(
        bullets=_bullets(prepared, summary.bullets),
        model=model,
        usage=usage,
        warnings=[WarningOut.from_warning(w) for w in warnings],
        offset_unit=prepared.offset_unit,
        text=prepared.document.text if prepared.return_text else None,
        title=prepared.document.title if prepared.return_text else None,
    )


def _bullets(prepared: PreparedInput, bullets: list[Bullet]) -> list[BulletOut]:
    unit = prepared.offset_unit
    in_text = OffsetConverter(prepared.document.text, unit)
    in_html = OffsetConverter(prepared.html, unit) if prepared.html is not None else None
    out = []
    for bullet in bullets:
        converted = BulletOut.from_bullet(bullet)
        update: dict[str, object] = {"start": in_text(bullet.start), "end": in_text(bullet.end)}
        if converted.sources is not None:
            update["sources"] = [in_text.span(start, end) for start, end in bullet.sources]
        if prepared.article is not None and in_html is not None and bullet.end > bullet.start:
            html_start, html_end = prepared.article.html_span(bullet.start, bullet.end)
            update["html_start"], update["html_end"] = in_html(html_start), in_html(html_end)
        out.append(converted.model_copy(update=update))
    return out
