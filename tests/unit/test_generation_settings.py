"""Generation settings: validated at start-up, bounded per request, min never above max."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from models.generators.generation import DecodeParams, GenerationConfig
from service.settings import Settings


def test_defaults_are_valid_and_documented_values() -> None:
    config = Settings().generation_config()
    assert config == GenerationConfig()
    assert (config.num_beams, config.max_new_tokens, config.min_new_tokens) == (4, 128, 10)
    assert config.grounding_threshold == 0.5
    assert config.keep_unsupported is False


def test_environment_configures_generation(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEADLIST_NUM_BEAMS", "2")
    monkeypatch.setenv("LEADLIST_MAX_NEW_TOKENS", "64")
    monkeypatch.setenv("LEADLIST_GROUNDING_THRESHOLD", "0.7")
    monkeypatch.setenv("LEADLIST_KEEP_UNSUPPORTED", "true")
    config = Settings().generation_config()
    assert (config.num_beams, config.max_new_tokens, config.grounding_threshold) == (2, 64, 0.7)
    assert config.keep_unsupported is True


@pytest.mark.parametrize(
    "bad",
    [
        {"min_new_tokens": 200, "max_new_tokens": 100},
        {"num_beams": 0},
        {"num_beams": 9},
        {"max_new_tokens": 0},
        {"grounding_threshold": 1.5},
        {"length_penalty": 0},
        {"no_repeat_ngram_size": -1},
    ],
)
def test_bad_settings_fail_at_start_up(bad: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        Settings(**bad)  # type: ignore[arg-type]


def test_min_above_max_cannot_be_built() -> None:
    with pytest.raises(ValueError, match="min_new_tokens"):
        GenerationConfig(min_new_tokens=50, max_new_tokens=20)
    # Lowering max_new_tokens per request pulls the minimum down with it instead of failing.
    params = GenerationConfig(min_new_tokens=30, max_new_tokens=100).for_request(max_new_tokens=8)
    assert (params.min_new_tokens, params.max_new_tokens) == (8, 8)
    kwargs = params.generate_kwargs()
    assert kwargs["min_new_tokens"] <= kwargs["max_new_tokens"]
    assert "max_length" not in kwargs
    assert "min_length" not in kwargs


def test_requests_may_only_lower_the_cost() -> None:
    config = GenerationConfig(num_beams=4, max_new_tokens=100)
    assert config.for_request(num_beams=1).num_beams == 1
    for overrides in ({"num_beams": 5}, {"max_new_tokens": 101}, {"max_new_tokens": 0}):
        with pytest.raises(ValueError, match="must be within"):
            config.for_request(**overrides)


def test_decode_params_travel_as_a_string_and_size_the_batch() -> None:
    params = GenerationConfig(num_beams=3, max_new_tokens=50, length_penalty=0.8).for_request()
    assert DecodeParams.decode(params.encode()) == params
    assert params.budget_tokens() == 150
