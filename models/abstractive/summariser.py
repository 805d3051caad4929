"""The abstractive summariser: a local generator writes bullets, the guard checks them, the ranker reduces.

``prepare`` splits the story into chunks that fit the generator's window (never cutting anything off) and
wraps each in a prompt; ``compute`` generates for a batch of prompts from any number of documents;
``finish`` parses each chunk's bullets, checks every bullet against the article with the grounding guard,
and reduces all chunks' bullets to the final list with the extractive ranker (rank, drop near-duplicates,
keep article order).

Prompts cross the batcher as strings, so each carries its decoding parameters as a short header: a
request that lowers ``max_new_tokens`` or the beams must never change what its batch-mates get.
The MiniLM work of the guard (the story's sentences and the generated bullets) happens in ``finish``
because the bullets exist only after generation; it costs little next to generation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from models.abstractive.grounding import Grounding, SourceIndex, ground
from models.document import Bullet, Document, Job, ModelInfo, Summary, Usage
from models.encoders.protocol import SentenceEncoder
from models.extractive.ranker import SentenceRanker
from models.generators.generation import DecodeParams, GenerationConfig
from models.generators.generator import Generation, TextGenerator, parse_bullets
from models.text.chunking import chunk_sentences, fit_sentences
from models.text.segmentation import Sentence, segment
from models.text.words import story_words

_HEADER_END = "\x1e"
# How many generated bullets a story of so many words keeps: (below this many words, bullets), then 5.
GENERATED_BULLETS_BY_WORDS: tuple[tuple[int, int], ...] = ((600, 3), (850, 4))
MAX_GENERATED_BULLETS = 5
# Chunks shorter than this many tokens of article are not worth a generator's window.
MIN_CHUNK_TOKENS = 16


@dataclass(frozen=True, slots=True)
class _Prepared:
    sentences: list[Sentence]
    title: str | None
    chunks: int
    prompt_tokens: int
    keep_unsupported: bool


def encode_input(params: DecodeParams, prompt: str) -> str:
    return params.encode() + _HEADER_END + prompt


def decode_input(item: str) -> tuple[DecodeParams, str]:
    header, _, prompt = item.partition(_HEADER_END)
    return DecodeParams.decode(header), prompt


class AbstractiveSummariser:
    def __init__(
        self,
        generator: TextGenerator,
        encoder: SentenceEncoder,
        ranker: SentenceRanker,
        config: GenerationConfig,
        version: str = "1",
    ) -> None:
        self.generator = generator
        self.encoder = encoder
        self.ranker = ranker
        self.config = config
        # What the generator's window leaves for article text once the prompt's own words are in, and,
        # for a decoder-only model, the tokens it will write into the same window.
        # The allowance covers a title of about 20 words; a longer one is left out of the prompt.
        self._prompt_allowance = self.generator.count_tokens(
            [self.generator.prompt("", "x " * 20, "3 to 5")]
        )[0]
        room = self.generator.window - self._prompt_allowance - 2
        if generator.kind == "causal":
            room -= config.max_new_tokens
        self.chunk_tokens = min(config.chunk_tokens, room) if config.chunk_tokens else room
        if self.chunk_tokens < MIN_CHUNK_TOKENS:
            raise ValueError(
                f"model {generator.name}: its window of {generator.window} tokens leaves "
                f"{self.chunk_tokens} for article text after the prompt and max_new_tokens"
            )
        self.info = ModelInfo(
            name=f"{generator.kind}-{generator.name}",
            version=f"{version}+guard.minilm",
            backend=type(generator).__name__,
            max_tokens=self.chunk_tokens,
            generative=True,
            backend_label=generator.runtime,
        )

    def prepare(self, document: Document) -> Job:
        segmentation = segment(document.text)
        title = (document.title or "").strip() or segmentation.leading_heading
        params = self.config.for_request(document.max_new_tokens, document.num_beams)
        sentences, counts = fit_sentences(
            document.text, segmentation.sentences, self.chunk_tokens, self.generator.count_tokens
        )
        chunks = chunk_sentences(sentences, counts, self.chunk_tokens, self.config.chunk_overlap_sentences)
        bullets = _bullets_hint(document)
        prompt_title = title
        if title and self.generator.count_tokens([self.generator.prompt("", title, bullets)])[0] > (
            self._prompt_allowance
        ):
            # The title is only a hint about the story; it must not push a chunk out of the window.
            prompt_title = None
        prompts = [self.generator.prompt(chunk.text, prompt_title, bullets) for chunk in chunks]
        prompt_tokens = self.generator.count_tokens(prompts)
        keep = (
            self.config.keep_unsupported if document.keep_unsupported is None else document.keep_unsupported
        )
        state = _Prepared(segmentation.sentences, title, len(chunks), sum(prompt_tokens), keep)
        return Job(
            document=document,
            inputs=[encode_input(params, prompt) for prompt in prompts],
            input_tokens=[tokens + params.budget_tokens() for tokens in prompt_tokens],
            state=state,
        )

    def compute(self, inputs: Sequence[str]) -> list[Any]:
        """A :class:`Generation` (text, tokens written) per prompt; prompts are grouped by decoding
        parameters and sorted by length within a group."""
        decoded = [decode_input(item) for item in inputs]
        groups: dict[DecodeParams, list[int]] = defaultdict(list)
        for position, (params, _) in enumerate(decoded):
            groups[params].append(position)
        outputs: list[Any] = [Generation("", 0)] * len(inputs)
        for params, positions in groups.items():
            positions.sort(key=lambda p: len(decoded[p][1]))
            generations = self.generator.generate([decoded[p][1] for p in positions], params)
            for position, generation in zip(positions, generations, strict=True):
                outputs[position] = generation
        return outputs

    def finish(self, job: Job) -> Summary:
        prepared: _Prepared = job.state
        sentences = prepared.sentences
        generations = [Generation(*output) for output in job.outputs]
        generated = [generation.text for generation in generations]
        written = sum(generation.tokens for generation in generations)
        candidates = list(dict.fromkeys(b for text in generated for b in parse_bullets(text)))
        if not sentences or not candidates:
            # No story sentences means no chunks, so nothing was generated to check.
            return Summary([], self._usage(job, written, candidates=0, unsupported=0, dropped=0))

        title = [prepared.title] if prepared.title else []
        vectors = self.encoder.encode([s.text for s in sentences] + candidates + title)
        sentence_vectors = vectors[: len(sentences)]
        bullet_vectors = vectors[len(sentences) : len(sentences) + len(candidates)]
        title_vector = vectors[-1] if title else None
        groundings = ground(
            candidates, bullet_vectors, sentences, sentence_vectors, SourceIndex(job.document.text)
        )
        threshold = self.config.grounding_threshold
        supported = [i for i, g in enumerate(groundings) if g.supported(threshold)]
        keep = list(range(len(candidates))) if prepared.keep_unsupported else supported
        bullets = self._reduce(
            document=job.document,
            sentences=sentences,
            candidates=candidates,
            groundings=groundings,
            vectors=bullet_vectors,
            title_vector=title_vector,
            keep=keep,
        )
        usage = self._usage(
            job,
            written,
            candidates=len(candidates),
            unsupported=len(candidates) - len(supported),
            dropped=len(candidates) - len(keep),
        )
        return Summary(bullets, usage)

    def _reduce(
        self,
        *,
        document: Document,
        sentences: list[Sentence],
        candidates: list[str],
        groundings: list[Grounding],
        vectors: np.ndarray[Any, Any],
        title_vector: np.ndarray[Any, Any] | None,
        keep: list[int],
    ) -> list[Bullet]:
        """Rank the kept bullets as if they were sentences placed where their best source sits."""
        if not keep:
            return []
        # Article order: by the best supporting sentence, then by the order the generator wrote them.
        keep = sorted(
            keep, key=lambda i: (groundings[i].sources[0].start, i) if groundings[i].sources else (0, i)
        )
        texts = [candidates[i] for i in keep]
        embeddings = vectors[keep]
        scores = self.ranker.scores(texts, embeddings, title_vector)
        # Generated bullets are key points already: how many to keep follows the story's length, within
        # the caller's bounds, rather than the extractive salience threshold.
        count = generated_bullet_count(story_words(s.text for s in sentences))
        upper = min(count, document.max_bullets or count)
        lower = max(upper, document.min_bullets or 0)
        # The guard has already judged each generated bullet; the extractive fragment rules do not apply.
        everything = np.ones(len(texts), dtype=bool)
        chosen = self.ranker.choose(texts, embeddings, scores, lower, lower, candidates=everything)
        threshold = self.config.grounding_threshold
        bullets = []
        for position in chosen:
            g = groundings[keep[position]]
            best = g.sources[0] if g.sources else None
            bullets.append(
                Bullet(
                    text=candidates[keep[position]],
                    start=best.start if best else 0,
                    end=best.end if best else 0,
                    score=float(scores[position]),
                    support=round(g.support, 4),
                    supported=g.supported(threshold),
                    sources=tuple((s.start, s.end) for s in g.sources),
                    unsupported_facts=g.missing,
                )
            )
        return bullets

    def _usage(self, job: Job, written: int, candidates: int, unsupported: int, dropped: int) -> Usage:
        prepared: _Prepared = job.state
        return Usage(
            characters=len(job.document.text),
            sentences=len(prepared.sentences),
            tokens=prepared.prompt_tokens,
            truncated=False,
            chunks=prepared.chunks,
            output_tokens=written,
            generated_bullets=candidates,
            unsupported_bullets=unsupported,
            dropped_bullets=dropped,
        )


def _bullets_hint(document: Document) -> str:
    """The count a decoder-only model is asked for; the ranker still makes the final cut."""
    low = document.min_bullets or min(3, document.max_bullets or 3)
    high = max(low, document.max_bullets or 5)
    return str(low) if low == high else f"{low} to {high}"


def generated_bullet_count(story_words: int) -> int:
    """Bullets for a story of ``story_words`` words: a longer story's lead list has more points."""
    for below, bullets in GENERATED_BULLETS_BY_WORDS:
        if story_words < below:
            return bullets
    return MAX_GENERATED_BULLETS
