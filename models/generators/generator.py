"""Text generators from local weights: encoder-decoder (BART, PEGASUS, T5) and decoder-only LMs.

Both load with ``local_files_only=True`` from a directory (or, for decoder-only models, a GGUF file via
transformers' ``gguf_file=``) and never reach a hub; a missing or unloadable path raises
:class:`ModelLoadError` with the path and the reason, which the service shows on ``/readyz``.

A generator knows its window, how to wrap an article chunk into a prompt, and how to generate for a batch
of prompts. Prompts are padded to the longest in a batch, so callers hand it prompts of similar length.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from models.generators.generation import DecodeParams
from models.text.segmentation import segment

# Tokenizers without a real limit report a huge model_max_length; anything above this is not a window.
_NO_LIMIT = 1_000_000
# Inputs per generate() call: enough to fill the CPU, few enough that beams x batch stays in memory.
MAX_GENERATE_BATCH = 8

CAUSAL_INSTRUCTION = (
    "Summarise the news article below as {count} short bullet points. Each bullet is one sentence that "
    "states a key fact from the article. Start each bullet with '- '. Write nothing else."
)


class Generation(NamedTuple):
    """What a generator wrote for one prompt, and how many tokens that took (padding not counted)."""

    text: str
    tokens: int


class ModelLoadError(RuntimeError):
    """The configured weights cannot be used; the message says which path and why."""


class TextGenerator(Protocol):
    name: str
    kind: str
    # What runs it, in words a user knows: "PyTorch (CPU), Hugging Face transformers".
    runtime: str
    # Tokens of prompt the model can read at once.
    window: int

    def count_tokens(self, texts: Sequence[str]) -> list[int]: ...

    def prompt(self, chunk: str, title: str | None, bullets: str) -> str: ...

    def generate(self, prompts: Sequence[str], params: DecodeParams) -> list[Generation]: ...


def _window(tokenizer: Any, config: Any) -> int:
    limit = int(getattr(tokenizer, "model_max_length", 0) or 0)
    if 0 < limit < _NO_LIMIT:
        return limit
    for attribute in ("max_position_embeddings", "n_positions", "max_sequence_length"):
        value = getattr(config, attribute, None)
        if isinstance(value, int) and value > 0:
            return value
    return 512  # T5-style relative positions: no hard limit, 512 is what they were trained on


def _check_path(path: Path | None, kind: str) -> Path:
    if path is None:
        raise ModelLoadError(
            f"LEADLIST_MODEL={kind} needs LEADLIST_MODEL_PATH: a local directory of transformers weights"
            + (" or a .gguf file" if kind == "causal" else "")
        )
    if not path.exists():
        raise ModelLoadError(f"LEADLIST_MODEL_PATH {path} does not exist")
    return path


class _TorchGenerator:
    runtime = "PyTorch (CPU), Hugging Face transformers"

    def __init__(self, name: str, kind: str, tokenizer: Any, model: Any) -> None:
        import torch

        self.name = name
        self.kind = kind
        self._torch = torch
        self._tokenizer = tokenizer
        self._model = model.eval()
        self.window = _window(tokenizer, model.config)

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        if not texts:
            return []
        encoded = self._tokenizer(list(texts), add_special_tokens=False, truncation=False, verbose=False)
        return [len(ids) for ids in encoded["input_ids"]]

    def generate(self, prompts: Sequence[str], params: DecodeParams) -> list[Generation]:
        generations: list[Generation] = []
        for offset in range(0, len(prompts), MAX_GENERATE_BATCH):
            batch = list(prompts[offset : offset + MAX_GENERATE_BATCH])
            generations.extend(self._generate_batch(batch, params))
        return generations

    def _generate_batch(self, prompts: list[str], params: DecodeParams) -> list[Generation]:
        batch = self._tokenizer(prompts, padding=True, return_tensors="pt", **self._tokenizer_options())
        with self._torch.inference_mode():
            output = self._model.generate(
                input_ids=batch["input_ids"],
                attention_mask=batch["attention_mask"],
                **self._generate_options(),
                **params.generate_kwargs(),
            )
        return self._decode(self._written(output, batch["input_ids"].shape[1]))

    def _tokenizer_options(self) -> dict[str, Any]:
        """How a batch of prompts is tokenised: what differs between model families."""
        return {"truncation": False}

    def _generate_options(self) -> dict[str, Any]:
        return {}

    def _written(self, output: Any, prompt_length: int) -> Any:
        """The generated part of ``generate``'s output (an encoder-decoder returns only that)."""
        return output

    def _decode(self, sequences: Any) -> list[Generation]:
        """Texts and written-token counts; special tokens (start, padding, end) are not counted."""
        special = set(self._tokenizer.all_special_ids)
        texts = self._tokenizer.batch_decode(sequences, skip_special_tokens=True)
        counts = [sum(1 for token in row.tolist() if token not in special) for row in sequences]
        return [Generation(str(text), count) for text, count in zip(texts, counts, strict=True)]


class Seq2SeqGenerator(_TorchGenerator):
    """An encoder-decoder summariser (BART-CNN, distilbart, PEGASUS, T5) whose output is prose."""

    def __init__(self, name: str, tokenizer: Any, model: Any) -> None:
        super().__init__(name, "seq2seq", tokenizer, model)
        task = (getattr(model.config, "task_specific_params", None) or {}).get("summarization", {})
        # T5 was trained with a task prefix; BART and PEGASUS have none.
        self._prefix = str(task.get("prefix", ""))

    def prompt(self, chunk: str, title: str | None, bullets: str) -> str:
        return self._prefix + chunk


class CausalGenerator(_TorchGenerator):
    """A decoder-only LM asked for bullets; the chat template is used when the tokenizer has one."""

    def __init__(self, name: str, tokenizer: Any, model: Any) -> None:
        super().__init__(name, "causal", tokenizer, model)
        # Left padding, so every prompt in a batch ends where generation starts.
        tokenizer.padding_side = "left"
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token

    def prompt(self, chunk: str, title: str | None, bullets: str) -> str:
        article = f"Title: {title}\n\n{chunk}" if title else chunk
        request = CAUSAL_INSTRUCTION.format(count=bullets) + "\n\nArticle:\n" + article
        if getattr(self._tokenizer, "chat_template", None):
            messages = [{"role": "user", "content": request}]
            return str(
                self._tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
            )
        return request + "\n\nBullet points:\n"

    def _tokenizer_options(self) -> dict[str, Any]:
        # The chat template already holds any special tokens the model needs.
        return {"add_special_tokens": False}

    def _generate_options(self) -> dict[str, Any]:
        return {"pad_token_id": self._tokenizer.pad_token_id}

    def _written(self, output: Any, prompt_length: int) -> Any:
        # A decoder-only model returns the prompt followed by what it wrote.
        return output[:, prompt_length:]


def load_generator(kind: str, path: Path | None, threads: int | None = None) -> TextGenerator:
    """Load a local generator; ``kind`` is ``seq2seq`` or ``causal``. Never touches a hub."""
    path = _check_path(path, kind)
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]
    if threads:
        torch.set_num_threads(threads)
    if path.is_file() and path.suffix != ".gguf":
        raise ModelLoadError(f"LEADLIST_MODEL_PATH {path} is a file but not a .gguf model")
    if path.is_file() and kind != "causal":
        raise ModelLoadError(f"a GGUF file ({path}) needs LEADLIST_MODEL=causal")
    where, gguf_file = (str(path.parent), path.name) if path.is_file() else (str(path), None)
    try:
        tokenizer = AutoTokenizer.from_pretrained(where, local_files_only=True, gguf_file=gguf_file)
        auto = AutoModelForSeq2SeqLM if kind == "seq2seq" else AutoModelForCausalLM
        model = auto.from_pretrained(where, local_files_only=True, gguf_file=gguf_file)
    except Exception as exc:
        raise ModelLoadError(f"cannot load a {kind} model from {path}: {exc}") from exc
    name = path.stem if path.is_file() else path.name
    if kind == "seq2seq":
        return Seq2SeqGenerator(name, tokenizer, model)
    return CausalGenerator(name, tokenizer, model)


_MARKER = re.compile(r"^\s*(?:[-*•–—▪►]|\d{1,2}[.)])\s+")
_PREAMBLE = re.compile(r":\s*$")


def parse_bullets(generated: str) -> list[str]:
    """The bullets in a generator's output: marked lines when it wrote a list, else its sentences.

    Seq2seq summarisers write prose (PEGASUS marks breaks with ``<n>``); instruction-tuned LMs write
    lists, often after a "Here are the key points:" line, which is not a bullet.
    """
    text = generated.replace("<n>", "\n").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    marked = [_MARKER.sub("", line).strip() for line in lines if _MARKER.match(line)]
    if marked:
        candidates = marked
    else:
        prose = "\n".join(line for line in lines if not _PREAMBLE.search(line))
        candidates = [s.text for s in segment(prose).sentences]
        if not candidates and prose:
            candidates = [prose]
    seen: set[str] = set()
    bullets = []
    for candidate in candidates:
        key = candidate.lower()
        if len(candidate.split()) >= 3 and key not in seen:
            seen.add(key)
            bullets.append(candidate)
    return bullets
