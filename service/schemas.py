"""The HTTP surface: request and response bodies, and so the OpenAPI document callers code against."""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from models import Summary

BulletCount = Annotated[int, Field(ge=1, le=10)]


class SummarizeRequest(BaseModel):
    """One article. Unknown fields are refused so a misspelt option is never silently ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)

    text: Annotated[str, StringConstraints(min_length=1, pattern=r"\S")] = Field(
        description="The article body. Offsets in the response index into this string."
    )
    title: str | None = Field(None, description="Headline; used as a hint for what the story is about.")
    max_bullets: BulletCount | None = Field(
        None, description="At most this many bullets; null lets the model choose."
    )
    min_bullets: BulletCount | None = Field(
        None, description="At least this many bullets, when the article has them."
    )

    @model_validator(mode="after")
    def _bounds_in_order(self) -> Self:
        if (
            self.min_bullets is not None
            and self.max_bullets is not None
            and self.min_bullets > self.max_bullets
        ):
            raise ValueError("min_bullets must not exceed max_bullets")
        return self


class BatchRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    documents: list[SummarizeRequest] = Field(min_length=1)


class BulletOut(BaseModel):
    text: str = Field(description="The bullet; for extractive models exactly text[start:end].")
    start: int = Field(description="Offset of the source sentence's first character in the submitted text.")
    end: int = Field(description="Offset just past the source sentence's last character.")
    score: float = Field(description="Salience; comparable within one response, higher is more central.")


class ModelRef(BaseModel):
    name: str
    version: str


class UsageOut(BaseModel):
    characters: int = Field(description="Characters submitted.")
    sentences: int = Field(description="Story sentences found after page furniture was removed.")
    tokens: int = Field(description="Model tokens the document needed.")
    truncated: bool = Field(description="True when any input had to be cut to fit the model's window.")


class SummarizeResponse(BaseModel):
    bullets: list[BulletOut]
    model: ModelRef
    usage: UsageOut

    @classmethod
    def from_summary(cls, summary: Summary, model: ModelRef) -> SummarizeResponse:
        return cls(
            bullets=[
                BulletOut(text=b.text, start=b.start, end=b.end, score=round(b.score, 6))
                for b in summary.bullets
            ],
            model=model,
            usage=UsageOut(
                characters=summary.usage.characters,
                sentences=summary.usage.sentences,
                tokens=summary.usage.tokens,
                truncated=summary.usage.truncated,
            ),
        )


class BatchResponse(BaseModel):
    results: list[SummarizeResponse] = Field(description="One result per document, in request order.")


class ModelCard(BaseModel):
    name: str
    version: str
    backend: str
    max_tokens: int = Field(description="The model's input window per sentence or chunk, in tokens.")
    default_bullets: int | None = Field(
        description="Bullets when a caller asks for none; null: model chooses."
    )


class ModelsResponse(BaseModel):
    models: list[ModelCard]


class Health(BaseModel):
    status: str
    detail: str | None = None


class Problem(BaseModel):
    """RFC 9457 problem details, as every error is returned."""

    type: str
    title: str
    status: int
    detail: str
