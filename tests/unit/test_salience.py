"""The salience network: the numpy forward pass the service runs is the torch network training fitted,
and the shipped parameters are small, complete and loadable without torch."""

from __future__ import annotations

import numpy as np
import pytest

from models.extractive.features import FEATURES, sentence_features
from models.extractive.ranker import DEFAULT_PARAMS_PATH, RankerParams, SentenceRanker
from models.extractive.salience import SalienceModel, SalienceShape, member_prefix
from models.quality.salience_training import build_network


@pytest.mark.parametrize(("layers", "members"), [(1, 1), (2, 1), (1, 3)])
def test_numpy_forward_matches_the_torch_networks(layers: int, members: int) -> None:
    import torch

    torch.manual_seed(layers)
    shape = SalienceShape(
        features=len(FEATURES), width=64, layers=layers, heads=4, max_position=8, members=members
    )
    networks = [build_network(shape).eval() for _ in range(members)]
    rng = np.random.default_rng(layers)
    sentences = [f"Sentence number {i} says {'more ' * i}about the story." for i in range(11)]
    embeddings = rng.normal(size=(11, 384)).astype(np.float32)
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    features = sentence_features(sentences, embeddings)
    mean, std = features.mean(axis=0), features.std(axis=0) + 0.5
    weights = {
        member_prefix(m) + name: value.detach().numpy()
        for m, network in enumerate(networks)
        for name, value in network.state_dict().items()
    }
    weights["feature_mean"] = mean.astype(np.float32)
    weights["feature_std"] = std.astype(np.float32)

    with torch.no_grad():
        expected = np.mean(
            [
                network(
                    torch.from_numpy(embeddings[None]),
                    torch.from_numpy(((features - mean) / std).astype(np.float32)[None]),
                    torch.from_numpy(np.minimum(np.arange(11), 7)[None]),
                    torch.ones((1, 11)),
                )[0].numpy()
                for network in networks
            ],
            axis=0,
        )
    served = SalienceModel(weights, shape).logits(embeddings, features)
    np.testing.assert_allclose(served, expected, rtol=1e-4, atol=1e-4)


def test_weights_for_other_features_are_refused() -> None:
    shape = SalienceShape(features=len(FEATURES))
    weights = {"feature_mean": np.zeros(len(FEATURES) + 1, np.float32)}
    with pytest.raises(ValueError, match="features"):
        SalienceModel(weights, shape)


def test_shipped_parameters_are_small_and_describe_how_they_were_fitted() -> None:
    params = RankerParams.load()
    weights = DEFAULT_PARAMS_PATH.parent / params.weights
    assert weights.stat().st_size <= 8 * 2**20
    assert params.features == FEATURES
    assert params.version.startswith("salience-")
    # Fitted on thousands of training stories, never on the held-out cnn_dev set.
    assert params.training["data"] == "cnndm_train.jsonl.xz"
    assert params.training["train_stories"] >= 4_000
    ranker = SentenceRanker.load()
    assert ranker.params == params
