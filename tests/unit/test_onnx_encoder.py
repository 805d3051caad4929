"""The int8 ONNX encoder: exported once by the CLI, close to fp32, and served without torch."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

from load._stories import BRIDGE, BRIDGE_TITLE, LONG_STORY, LONG_STORY_TITLE, STORM
from models import Document, Summariser, load_summariser, summarise
from models.encoders.onnx_export import MODEL_FILE, export_dir, is_exported
from models.encoders.protocol import SentenceEncoder
from models.extractive.summariser import ExtractiveSummariser
from models.text.segmentation import segment
from service.settings import Settings
from tests.support.cli import run_cli, run_from_root

# How close two sentences' salience must be for int8 to pick either (see the test below).
NEAR_TIE_LOGITS = 0.15


@pytest.fixture(scope="session")
def onnx_summariser(onnx_cache: Path) -> Summariser:
    return load_summariser("extractive", encoder="onnx-int8", cache_dir=onnx_cache)


def encoder_of(summariser: Summariser) -> SentenceEncoder:
    assert isinstance(summariser, ExtractiveSummariser)
    return summariser.encoder


def sentences() -> list[str]:
    texts = [BRIDGE, STORM, LONG_STORY]
    return [s.text for text in texts for s in segment(text).sentences] + [BRIDGE_TITLE, LONG_STORY_TITLE]


@pytest.mark.live
def test_export_is_one_int8_model_and_a_second_export_reuses_it(onnx_cache: Path) -> None:
    folder = export_dir(onnx_cache)
    assert is_exported(folder)
    # int8 weights: about a quarter of MiniLM's 90 MB of fp32 weights.
    assert (folder / MODEL_FILE).stat().st_size < 35_000_000
    before = (folder / MODEL_FILE).stat().st_mtime_ns
    again = run_cli("export-onnx", cache_dir=onnx_cache)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"already exported: {folder}"
    assert (folder / MODEL_FILE).stat().st_mtime_ns == before


@pytest.mark.live
def test_token_counts_match_the_torch_tokenizer(summariser: Summariser, onnx_summariser: Summariser) -> None:
    texts = [*sentences(), "word " * 400, "", "Émilie's café — naïve 東京 🙂"]
    counts = encoder_of(onnx_summariser).count_tokens(texts)
    assert counts == encoder_of(summariser).count_tokens(texts)
    assert counts[len(sentences())] > 256  # not truncated when counting


@pytest.mark.live
def test_embeddings_stay_close_to_fp32(summariser: Summariser, onnx_summariser: Summariser) -> None:
    texts = sentences()
    reference = encoder_of(summariser).encode(texts)
    int8 = encoder_of(onnx_summariser).encode(texts)
    assert int8.shape == reference.shape
    np.testing.assert_allclose(np.linalg.norm(int8, axis=1), 1.0, atol=1e-5)
    cosine = (int8 * reference).sum(axis=1)
    assert cosine.min() > 0.95, cosine.min()
    assert cosine.mean() > 0.985, cosine.mean()


@pytest.mark.live
def test_rows_follow_input_order_and_batches_barely_move_them(onnx_summariser: Summariser) -> None:
    encoder = encoder_of(onnx_summariser)
    texts = sentences()
    together = encoder.encode(texts)
    reversed_rows = encoder.encode(texts[::-1])[::-1]
    np.testing.assert_allclose(reversed_rows, together, atol=1e-5)
    alone = np.stack([encoder.encode([text])[0] for text in texts[:8]])
    # Activations are quantised per batch, so company changes a vector a little, never its meaning.
    assert (alone * together[:8]).sum(axis=1).min() > 0.98
    assert encoder.encode([]).shape == (0, together.shape[1])


@pytest.mark.live
def test_int8_summaries_pick_the_fp32_bullets(summariser: Summariser, onnx_summariser: Summariser) -> None:
    documents = [Document(BRIDGE, title=BRIDGE_TITLE), Document(STORM), Document(LONG_STORY)]
    fp32 = summarise(summariser, documents)
    int8 = summarise(onnx_summariser, documents)
    for reference, quantised in zip(fp32, int8, strict=True):
        assert len(quantised.bullets) == len(reference.bullets)
        int8_texts = {b.text for b in quantised.bullets}
        fp32_texts = {b.text for b in reference.bullets}
        swapped_in = [b for b in quantised.bullets if b.text not in fp32_texts]
        swapped_out = [b for b in reference.bullets if b.text not in int8_texts]
        # int8 activations are quantised per batch, which moves a score by a few hundredths of a logit:
        # it may swap one bullet for another only where its score is that close to the fp32 score of the
        # bullet it replaces.
        assert len(swapped_in) <= 1, (swapped_in, swapped_out)
        for new, old in zip(swapped_in, swapped_out, strict=True):
            assert abs(new.score - old.score) < NEAR_TIE_LOGITS, (new, old)
        assert quantised.usage == reference.usage
    assert onnx_summariser.info.backend == "OnnxSentenceEncoder"
    assert onnx_summariser.info.name.endswith("-int8")


SERVE_WITHOUT_TORCH = """
import json, sys
from fastapi.testclient import TestClient
from service.app import create_app
from service.settings import Settings

with TestClient(create_app(Settings())) as client:
    for _ in range(3000):
        if client.get("/readyz").status_code == 200:
            break
        import time; time.sleep(0.01)
    response = client.post("/v1/summarize", json={"text": sys.argv[1]})
    models = client.get("/v1/models").json()
print(json.dumps({
    "status": response.status_code,
    "bullets": len(response.json().get("bullets", [])),
    "backend": json.dumps(models),
    "loaded": sorted(m for m in ("torch", "transformers") if m in sys.modules),
}))
"""


@pytest.mark.live
def test_the_onnx_service_answers_without_importing_torch(onnx_cache: Path) -> None:
    env = {**os.environ, "LEADLIST_ENCODER": "onnx-int8", "LEADLIST_CACHE_DIR": str(onnx_cache)}
    result = run_from_root([sys.executable, "-c", SERVE_WITHOUT_TORCH, STORM], env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["status"] == 200
    assert report["bullets"] == 3
    assert "ONNX Runtime (CPU, int8)" in report["backend"]
    assert "OnnxSentenceEncoder" in report["backend"]
    assert report["loaded"] == []


def test_encoder_setting_is_validated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("LEADLIST_ENCODER", "onnx-int8")
    monkeypatch.setenv("LEADLIST_CACHE_DIR", str(tmp_path))
    settings = Settings()
    assert (settings.encoder, settings.cache_dir) == ("onnx-int8", tmp_path)
    monkeypatch.setenv("LEADLIST_ENCODER", "tensorrt")
    with pytest.raises(ValueError, match="encoder"):
        Settings()
    with pytest.raises(ValueError, match="unknown encoder"):
        load_summariser("extractive", encoder="tensorrt")
