"""sentiment_zh: PaddleHub senta's output, the shipped model's accuracy on held-out reviews, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hub_senta.corpus import split_digest
from hub_senta.module import SentaInputError, data_dir

KEYS = {"text", "sentiment_label", "sentiment_key", "positive_probs", "negative_probs"}


def test_output_has_senta_keys_and_consistent_probabilities(senta: Any) -> None:
    texts = ["这个手机质量很好，运行流畅，非常满意。", "太差了，用了两天就坏了，再也不买了。"]
    results = senta.sentiment_classify(texts=texts, batch_size=1)
    assert [r["text"] for r in results] == texts
    for row in results:
        assert set(row) == KEYS
        assert row["positive_probs"] + row["negative_probs"] == pytest.approx(1.0, abs=2e-4)
        assert row["sentiment_key"] == ("positive" if row["sentiment_label"] == 1 else "negative")
        assert (row["positive_probs"] >= row["negative_probs"]) == (row["sentiment_key"] == "positive")
    assert [r["sentiment_key"] for r in results] == ["positive", "negative"]
    assert senta.sentiment_classify(data={"text": texts}) == results  # PaddleHub's data= form


def test_batches_do_not_change_the_answer(senta: Any, corpus_splits: Any) -> None:
    texts = [review.text for review in corpus_splits["test"][:24]]
    one = senta.sentiment_classify(texts=texts, batch_size=1)
    many = senta.sentiment_classify(texts=texts, batch_size=8)
    for a, b in zip(one, many, strict=True):
        assert a["sentiment_key"] == b["sentiment_key"]
        assert a["positive_probs"] == pytest.approx(b["positive_probs"], abs=2e-4)


def test_shipped_record_matches_the_split_rebuilt_from_the_corpus(corpus_splits: Any) -> None:
    record = json.loads((data_dir() / "training.json").read_text(encoding="utf-8"))
    for name, reviews in corpus_splits.items():
        assert record["splits"][name]["reviews"] == len(reviews)
        assert record["splits"][name]["sha256"] == split_digest(reviews)
    keys = {name: {review.key for review in reviews} for name, reviews in corpus_splits.items()}
    assert (
        not keys["train"] & keys["test"]
        and not keys["train"] & keys["dev"]
        and not keys["dev"] & keys["test"]
    )
    assert record["seed"] == 0 and record["command"].startswith(
        "python hub-senta/tools/train_sentiment_zh.py"
    )


@pytest.mark.slow
def test_accuracy_on_held_out_reviews_is_what_the_record_says(senta: Any, corpus_splits: Any) -> None:
    """The first 400 test reviews (never trained on): accuracy within 4 points of the published figure
    (the LAC head blended with the n-gram model, as the module runs)."""
    record = json.loads((data_dir() / "training_ngrams.json").read_text(encoding="utf-8"))
    reviews = corpus_splits["test"][:400]
    results = senta.sentiment_classify(texts=[r.text for r in reviews], batch_size=32)
    accuracy = sum(row["sentiment_key"] == r.label for row, r in zip(results, reviews, strict=True)) / len(
        reviews
    )
    assert accuracy >= 0.8
    assert abs(accuracy - record["test_accuracy"]["blend"]) <= 0.04


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"texts": "一句话"}, "texts must be a list of strings, got str"),
        ({"texts": ["好", 3]}, "texts[1] is int, not str"),
        ({"texts": ["好", "   "]}, "texts[1] is empty"),
        ({"texts": ["好"], "batch_size": 0}, "batch_size must be a positive int, got 0"),
        ({}, "give texts=[...]"),
        ({"data": {"txt": ["好"]}}, 'data must be a dict {"text": [texts]}'),
    ],
)
def test_bad_input_is_refused_with_a_message_naming_it(
    senta: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SentaInputError) as caught:
        senta.sentiment_classify(**kwargs)
    assert str(caught.value) == message


def test_an_empty_list_gives_an_empty_answer(senta: Any) -> None:
    assert senta.sentiment_classify(texts=[]) == []


def test_ngram_record_matches_the_split_and_the_blend_is_what_ships(corpus_splits: Any) -> None:
    from safetensors import safe_open

    record = json.loads((data_dir() / "training_ngrams.json").read_text(encoding="utf-8"))
    for name, reviews in corpus_splits.items():
        assert record["splits"][name] == {"reviews": len(reviews), "sha256": split_digest(reviews)}
    assert record["command"].startswith("python hub-senta/tools/train_sentiment_zh_ngrams.py")
    with safe_open(str(data_dir() / "sentiment_zh_ngrams.safetensors"), framework="numpy") as stored:
        assert float(stored.metadata()["blend_weight"]) == record["blend_weight"]
    # the blend was chosen on dev: its dev figure is the best of the grid
    assert record["dev_accuracy"]["blend"] == max(record["dev_accuracy_by_weight"].values())


def test_ngram_model_computes_tfidf_logistic_regression_by_hand() -> None:
    import numpy as np
    from hub_senta._ngrams import NgramModel, char_ngrams, export

    assert char_ngrams("Ａb 好") == [
        "a",
        "b",
        " ",
        "好",
        "ab",
        "b ",
        " 好",
        "ab ",
        "b 好",
    ]  # NFKC, lower case
    tensors = export(
        {"好": 0, "差": 1, "好好": 2}, np.array([1.0, 2.0, 3.0]), np.array([2.0, -1.0, 0.5]), 0.25
    )
    model = NgramModel.from_tensors(tensors)
    # "好好差": counts 好 2, 差 1, 好好 1 -> tf-idf (1 + ln 2) * 1, 1 * 2, 1 * 3, then unit length
    values = np.array([1.0 + np.log(2.0), 2.0, 3.0])
    logit = values @ np.array([2.0, -1.0, 0.5]) / np.linalg.norm(values) + 0.25
    got = model.positive(["好好差", "无关"])
    assert got[0] == pytest.approx(1.0 / (1.0 + np.exp(-logit)))
    assert got[1] == pytest.approx(1.0 / (1.0 + np.exp(-0.25)))  # no known n-gram: the bias alone
