"""Our torch port equals textgenrnn 2.0.0 on TensorFlow: layers, next-character probabilities,
greedy and seeded text, and perplexity through the original's own training pipeline."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

TOLERANCE = 1e-5


def test_golden_record_is_the_original(goldens: dict[str, Any]) -> None:
    versions = goldens["versions"]
    assert versions["textgenrnn"] == "2.0.0"
    assert versions["tensorflow"].startswith("2.15")
    assert len(goldens["prefixes"]) == 50
    assert goldens["probabilities"].shape == (50, 465)


def test_every_layer_equals_keras(lm: Any, layer_goldens: dict[str, np.ndarray]) -> None:
    encoder = lm.network.encoder
    ids = torch.from_numpy(layer_goldens["windows"])
    with torch.no_grad():
        embedded = encoder.embedding(ids)
        first, _ = encoder.rnn_1(embedded)
        second, _ = encoder.rnn_2(first)
        attention = encoder.attention(torch.cat([embedded, first, second], dim=-1))
        output = torch.softmax(lm.network.output(attention), dim=-1)
    ours = {"embedding": embedded, "rnn_1": first, "rnn_2": second, "attention": attention, "output": output}
    for name, value in ours.items():
        np.testing.assert_allclose(value.numpy(), layer_goldens[name], rtol=0, atol=TOLERANCE, err_msg=name)


def test_next_character_probabilities_equal_the_original(lm: Any, goldens: dict[str, Any]) -> None:
    ours = lm.next_char_probabilities(goldens["prefixes"])
    assert ours.shape == goldens["probabilities"].shape
    np.testing.assert_allclose(ours, goldens["probabilities"], rtol=0, atol=TOLERANCE)
    # The same character wins for every prefix, unknown characters (newline, CJK, emoji) included.
    assert (ours.argmax(axis=1) == goldens["probabilities"].argmax(axis=1)).all()


@pytest.mark.slow
def test_greedy_continuations_are_identical(lm: Any, goldens: dict[str, Any]) -> None:
    for case in goldens["greedy"]:
        (text,) = lm.generate(case["prefix"], temperature=0.0, max_length=case["max_gen_length"] - 1)
        assert text == case["text"], case["prefix"]


def test_seeded_samples_are_identical(lm: Any, goldens: dict[str, Any]) -> None:
    for case in goldens["sampled"]:
        (text,) = lm.generate(
            case["prefix"],
            temperature=case["temperature"],
            max_length=case["max_gen_length"] - 1,
            seed=case["seed"],
        )
        assert text == case["text"], case


def test_perplexity_equals_the_original_training_pipeline(lm: Any, goldens: dict[str, Any]) -> None:
    cases = goldens["perplexity"]
    results = lm.perplexity([case["text"] for case in cases])
    for case, result in zip(cases, results, strict=True):
        assert result["scored_tokens"] == case["scored_tokens"], case["text"]
        assert result["perplexity"] == pytest.approx(case["perplexity"], rel=TOLERANCE), case["text"]
