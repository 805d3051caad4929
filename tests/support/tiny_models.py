"""Tiny random-weight generators saved to a directory, so the real loading code runs without downloads.

The tokenizer is a cased WordPiece tokenizer trained on this suite's own stories, so the noise the models
write is made of the stories' words, names and numbers, in random order: exactly what the grounding
guard must refuse. The models are a few thousand parameters on top of it.
"""

from __future__ import annotations

from pathlib import Path

import torch
from tokenizers import Tokenizer, decoders, pre_tokenizers, processors, trainers
from tokenizers.models import WordPiece
from transformers import (
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    BartConfig,
    GPT2Config,
    PretrainedConfig,
    PreTrainedTokenizerFast,
    T5Config,
)

from load._stories import BRIDGE, LONG_STORY, STORM

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

TINY = {"d_model": 16, "heads": 2, "ffn": 32}


def tiny_tokenizer(window: int) -> PreTrainedTokenizerFast:
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    tokenizer.train_from_iterator(
        [BRIDGE, STORM, LONG_STORY], trainers.WordPieceTrainer(vocab_size=1500, special_tokens=SPECIAL)
    )
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        special_tokens=[("[CLS]", tokenizer.token_to_id("[CLS]")), ("[SEP]", tokenizer.token_to_id("[SEP]"))],
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        model_max_length=window,
        **{f"{name}_token": f"[{name.upper()}]" for name in ("pad", "unk", "cls", "sep", "mask")},
    )


def _config(kind: str, tokenizer: PreTrainedTokenizerFast, window: int) -> PretrainedConfig:
    ids = {
        "vocab_size": len(tokenizer),
        "pad_token_id": tokenizer.pad_token_id,
        "bos_token_id": tokenizer.cls_token_id,
        "eos_token_id": tokenizer.sep_token_id,
    }
    if kind == "bart":
        return BartConfig(
            d_model=TINY["d_model"],
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=TINY["heads"],
            decoder_attention_heads=TINY["heads"],
            encoder_ffn_dim=TINY["ffn"],
            decoder_ffn_dim=TINY["ffn"],
            max_position_embeddings=window,
            decoder_start_token_id=tokenizer.sep_token_id,
            forced_eos_token_id=None,
            **ids,
        )
    if kind == "t5":
        return T5Config(
            d_model=TINY["d_model"],
            d_kv=8,
            d_ff=TINY["ffn"],
            num_layers=1,
            num_decoder_layers=1,
            num_heads=TINY["heads"],
            decoder_start_token_id=tokenizer.pad_token_id,
            **ids,
        )
    if kind == "gpt2":
        return GPT2Config(
            n_embd=TINY["d_model"],
            n_layer=1,
            n_head=TINY["heads"],
            n_inner=TINY["ffn"],
            n_positions=window,
            **ids,
        )
    raise ValueError(kind)


def save_tiny_model(directory: Path, kind: str, window: int, seed: int = 0) -> Path:
    """Build and save a tiny ``bart``, ``t5`` or ``gpt2`` model with its tokenizer; returns the directory."""
    torch.manual_seed(seed)
    tokenizer = tiny_tokenizer(window)
    config = _config(kind, tokenizer, window)
    auto = AutoModelForCausalLM if kind == "gpt2" else AutoModelForSeq2SeqLM
    model = auto.from_config(config)
    # At the default 0.02 init every logit is near zero and greedy search writes one token forever;
    # larger weights make the noise vary. Special tokens get zero embeddings (tied to the output layer)
    # so they never win: the model writes words until max_new_tokens.
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.5)
        model.get_input_embeddings().weight[: len(SPECIAL)] = 0.0
        model.get_output_embeddings().weight[: len(SPECIAL)] = 0.0
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
