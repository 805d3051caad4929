"""The HTTP surface: request and response bodies, and so the OpenAPI document callers code against."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    model_validator,
)

from models import MAX_BEAMS, MAX_NEW_TOKENS, Bullet, Summary, SummaryWarning, Usage

BulletCount = Annotated[int, Field(ge=1, le=10)]
NonBlank = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
# The same three names as models.OffsetUnit, spelt out so the OpenAPI document lists them.
OffsetUnitName = Literal["codepoint", "utf16", "utf8"]
MAX_ID_LENGTH = 256


class ValidationIssue(BaseModel):
    """One schema error of a 422: where in the body, what is wrong, and pydantic's error type."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is returned; some carry more fields (``limit``...)."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    errors: list[ValidationIssue] | None = Field(None, description="Schema errors, for a 422.")


class SummarizeRequest(BaseModel):
    """One article. Unknown fields are refused so a misspelt option is never silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: NonBlank | None = Field(
        None,
        description="The article body. Offsets in the response index into this string. Send exactly "
        "one of text and html; HTML sent here is detected and extracted (warning html_extracted).",
    )
    html: NonBlank | None = Field(
        None,
        description="A web page or HTML fragment: its article and title are extracted, and bullets "
        "also carry html_start/html_end into this string exactly as sent.",
    )
    title: str | None = Field(None, description="Headline; used as a hint for what the story is about.")
    max_bullets: BulletCount | None = Field(
        None, description="At most this many bullets; null lets the model choose."
    )
    min_bullets: BulletCount | None = Field(
        None, description="At least this many bullets, when the article has them."
    )
    max_new_tokens: int | None = Field(
        None,
        ge=1,
        le=MAX_NEW_TOKENS,
        description="Generator models: at most this many tokens written per chunk; may only lower "
        "LEADLIST_MAX_NEW_TOKENS. Ignored by the extractive model.",
    )
    num_beams: int | None = Field(
        None,
        ge=1,
        le=MAX_BEAMS,
        description="Generator models: beam width; may only lower LEADLIST_NUM_BEAMS. Ignored by the "
        "extractive model.",
    )
    keep_unsupported: bool | None = Field(
        None,
        description="Generator models: return bullets the grounding guard rejects, flagged "
        '"supported": false, instead of dropping them. Null uses LEADLIST_KEEP_UNSUPPORTED.',
    )

    offset_unit: OffsetUnitName = Field(
        "codepoint",
        description="What offsets count: codepoint (Python), utf16 (JavaScript, Java, C#), utf8 (bytes).",
    )
    return_text: bool = Field(
        False, description="Include the text the offsets index into (the extracted article for HTML)."
    )

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.text is None) == (self.html is None):
            raise ValueError("send exactly one of text and html")
        return self

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        if (
            self.min_bullets is not None
            and self.max_bullets is not None
            and self.min_bullets > self.max_bullets
        ):
            raise ValueError("min_bullets must not exceed max_bullets")
        return self


DocumentId = Annotated[str, StringConstraints(min_length=1, max_length=MAX_ID_LENGTH)]


class BatchDocument(SummarizeRequest):
    """One document of a batch: a summarise request, with the caller's own id echoed in its result."""

    id: DocumentId | None = Field(
        None, description="The caller's id for this document, echoed in its result or problem."
    )


class BatchRequest(BaseModel):
    """The batch as OpenAPI describes it. Each document is checked on its own (a bad one gets a problem
    in its place in ``results``), so the route parses the envelope with :class:`BatchEnvelope`."""

    model_config = ConfigDict(extra="forbid", strict=True)

    documents: list[BatchDocument] = Field(min_length=1)


class BatchEnvelope(BaseModel):
    """What must hold for the batch to be read at all: an object with a non-empty list of documents."""

    model_config = ConfigDict(extra="forbid", strict=True)

    documents: list[Any] = Field(min_length=1)


class BulletOut(BaseModel):
    text: str = Field(description="The bullet; for extractive models exactly text[start:end].")
    start: int = Field(description="Offset of the source sentence's first character in the submitted text.")
    end: int = Field(description="Offset just past the source sentence's last character.")
    score: float = Field(description="Salience; comparable within one response, higher is more central.")
    # Generator models only (absent for extractive bullets, which are their own source). A generated
    # bullet's start/end are the span of its best supporting sentence.
    support: float | None = Field(
        None, description="Generator models: how well the article backs the bullet, 0-1."
    )
    supported: bool | None = Field(
        None, description="Generator models: false when kept on request although the guard rejected it."
    )
    sources: list[tuple[int, int]] | None = Field(
        None, description="Generator models: [start, end] of each supporting sentence, best first."
    )
    unsupported_facts: list[str] | None = Field(
        None, description="Generator models: numbers, dates and names in the bullet absent from the text."
    )
    html_start: int | None = Field(
        None, description="HTML input: where the source sentence starts in the HTML exactly as sent."
    )
    html_end: int | None = Field(
        None, description="HTML input: just past the source sentence's end in the HTML (tags included)."
    )

    @classmethod
    def from_bullet(cls, bullet: Bullet) -> BulletOut:
        if bullet.support is None:
            return cls(text=bullet.text, start=bullet.start, end=bullet.end, score=round(bullet.score, 6))
        return cls(
            text=bullet.text,
            start=bullet.start,
            end=bullet.end,
            score=round(bullet.score, 6),
            support=bullet.support,
            supported=bullet.supported,
            sources=list(bullet.sources),
            unsupported_facts=list(bullet.unsupported_facts),
        )


class ModelRef(BaseModel):
    name: str
    version: str


class WarningOut(BaseModel):
    code: str = Field(
        description="Stable code: html_extracted, language_unsupported, no_sentence_punctuation, "
        "sentence_truncated or fewer_bullets_than_asked."
    )
    detail: str = Field(description="What happened, for people.")

    @classmethod
    def from_warning(cls, warning: SummaryWarning) -> WarningOut:
        return cls(code=warning.code, detail=warning.detail)


class UsageOut(BaseModel):
    characters: int = Field(description="Characters submitted.")
    sentences: int = Field(description="Story sentences found after page furniture was removed.")
    tokens: int = Field(description="Model tokens the document needed.")
    truncated: bool = Field(description="True when any input had to be cut to fit the model's window.")
    chunks: int | None = Field(
        None, description="Generator models: window-sized chunks the text was read in."
    )
    output_tokens: int | None = Field(None, description="Generator models: tokens written over all chunks.")
    generated_bullets: int | None = Field(
        None, description="Generator models: bullets written over all chunks, before the guard and reducer."
    )
    unsupported_bullets: int | None = Field(
        None, description="Generator models: bullets the grounding guard found unsupported."
    )
    dropped_bullets: int | None = Field(
        None, description="Generator models: unsupported bullets dropped (0 when kept on request)."
    )
    language: str | None = Field(
        None, description="ISO 639-1 code of the text's language; absent when too short to tell."
    )

    @classmethod
    def from_usage(cls, usage: Usage, generated: bool) -> UsageOut:
        base = cls(
            characters=usage.characters,
            sentences=usage.sentences,
            tokens=usage.tokens,
            truncated=usage.truncated,
        )
        if not generated:
            return base
        return base.model_copy(
            update={
                "chunks": usage.chunks,
                "output_tokens": usage.output_tokens,
                "generated_bullets": usage.generated_bullets,
                "unsupported_bullets": usage.unsupported_bullets,
                "dropped_bullets": usage.dropped_bullets,
            }
        )


class SummarizeResponse(BaseModel):
    bullets: list[BulletOut]
    model: ModelRef
    usage: UsageOut
    warnings: list[WarningOut] = Field(
        default_factory=list, description="What limits this summary; empty when all is well."
    )
    offset_unit: OffsetUnitName = Field("codepoint", description="The unit of every offset in this response.")
    text: str | None = Field(
        None, description="With return_text: the text start/end index into (the extracted article)."
    )
    title: str | None = Field(None, description="With return_text: the title used, if any.")

    @classmethod
    def from_summary(cls, summary: Summary, model: ModelRef, generated: bool = False) -> SummarizeResponse:
        """``generated``: the model writes its bullets, so the generator-only usage fields are filled."""
        return cls(
            bullets=[BulletOut.from_bullet(b) for b in summary.bullets],
            model=model,
            usage=UsageOut.from_usage(summary.usage, generated=generated),
        )


class BatchSummary(SummarizeResponse):
    """A batch document that was summarised."""

    # Required, so the schema says it is always sent: a client can branch on ``status`` alone.
    status: Literal[200] = Field(description="Always 200: this document was summarised.")
    id: str | None = Field(None, description="The document's id, when the request gave one.")


class BatchProblem(Problem):
    """A batch document that was refused: RFC 9457 problem details of that document alone, with the
    status a single /v1/summarize call with this document would answer."""

    index: int = Field(description="The document's position in the request, from 0.")
    id: str | None = Field(None, description="The document's id, when the request gave one.")


def _result_kind(value: Any) -> str:
    """Summaries carry bullets, problems a type: the tag a parser can branch on without guessing."""
    if isinstance(value, dict):
        return "summary" if "bullets" in value else "problem"
    return "summary" if isinstance(value, BatchSummary) else "problem"


BatchResult = Annotated[
    Annotated[BatchSummary, Tag("summary")] | Annotated[BatchProblem, Tag("problem")],
    Discriminator(_result_kind),
]


class BatchResponse(BaseModel):
    results: list[BatchResult] = Field(
        description="One entry per document, in request order: a summary (status 200) or a problem "
        "object for a document that alone was refused. The call itself answers 200 either way."
    )


class ModelCard(BaseModel):
    name: str
    version: str
    backend: str = Field(description='What runs the model, in words: e.g. "PyTorch (CPU, fp32)".')
    backend_id: str = Field(description="The same, as a stable identifier for programs and dashboards.")
    max_tokens: int = Field(description="The model's input window per sentence or chunk, in tokens.")
    default_bullets: int | None = Field(
        description="Bullets when a caller asks for none; null: model chooses."
    )


class ModelsResponse(BaseModel):
    models: list[ModelCard]


class Health(BaseModel):
    status: str
    detail: str | None = None
