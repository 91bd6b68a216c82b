"""Extractive reading comprehension: CMRC2018-layout JSON, doc-stride windows, official EM/F1, training."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import torch

import hubcore
from hubcore import Asset, HubcoreError, RunConfig, load_task
from hubcore.finetune.data.reading import CMRC2018, DRCD, ReadingComprehensionDataset, ReadingExample
from hubcore.finetune.readers.reading import ReadingComprehensionReader
from hubcore.finetune.tasks.reading import ReadingComprehensionTask
from hubcore.finetune.tasks.reading_metric import em_f1, exact_match, f1_score, segments
from hubcore.finetune.training import checkpoint as ckpt
from hubcore.testing.toy_modules import HashCharTokenizer

# (country, capital) pairs written for this test; the context states the capital after "首都是".
TRAIN = [
    ("法国", "巴黎"),
    ("日本", "东京"),
    ("英国", "伦敦"),
    ("德国", "柏林"),
    ("俄国", "莫斯科"),
    ("泰国", "曼谷"),
]
DEV = [("中国", "北京"), ("韩国", "首尔"), ("埃及", "开罗")]
FILLER = "这里人口很多，气候温和。"


def _squad(pairs: list[tuple[str, str]], prefix: str) -> dict:
    """The CMRC2018 JSON layout: data / paragraphs / qas / answers with answer_start."""
    paragraphs = []
    for index, (country, capital) in enumerate(pairs):
        lead = FILLER[: index % 5]
        context = f"{lead}{country}的首都是{capital}。{FILLER}"
        paragraphs.append(
            {
                "id": f"{prefix}-p{index}",
                "context": context,
                "qas": [
                    {
                        "id": f"{prefix}-q{index}",
                        "question": f"{country}的首都是哪里？",
                        "answers": [{"text": capital, "answer_start": context.index(capital, len(lead) + 5)}],
                    }
                ],
            }
        )
    return {"version": "v1.0", "data": [{"id": prefix, "title": "首都", "paragraphs": paragraphs}]}


def _write(folder: Path, name: str, content: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def data(tmp_path: Path) -> ReadingComprehensionDataset:
    return ReadingComprehensionDataset(
        _write(tmp_path, "train.json", _squad(TRAIN, "TRAIN")),
        _write(tmp_path, "dev.json", _squad(DEV, "DEV")),
    )


def test_the_dataset_reads_the_cmrc2018_layout_and_checks_offsets(
    data: ReadingComprehensionDataset, tmp_path: Path
) -> None:
    first = data.get_train_examples()[0]
    assert isinstance(first, ReadingExample)
    assert (first.guid, first.text_a, first.answers) == ("TRAIN-q0", "法国的首都是哪里？", [("巴黎", 6)])
    assert first.text_b[6:8] == "巴黎" and len(data.get_dev_examples()) == 3
    shifted = _squad(TRAIN[:1], "BAD")
    shifted["data"][0]["paragraphs"][0]["qas"][0]["answers"][0]["answer_start"] = 3
    with pytest.raises(
        HubcoreError, match=r"bad\.json, question BAD-q0: answer '巴黎' is not at character 3"
    ):
        ReadingComprehensionDataset(_write(tmp_path, "bad.json", shifted)).get_train_examples()


def test_cmrc2018_and_drcd_read_paddlehub_folders(tmp_path: Path) -> None:
    _write(tmp_path / "cmrc2018", "cmrc2018_train.json", _squad(TRAIN, "T"))
    _write(tmp_path / "cmrc2018", "cmrc2018_dev.json", _squad(DEV, "D"))
    cmrc = CMRC2018(data_dir=tmp_path)
    assert [e.guid for e in cmrc.get_dev_examples()] == ["D-q0", "D-q1", "D-q2"]
    assert cmrc.get_test_examples() == []
    for name in ("DRCD_training.json", "DRCD_dev.json", "DRCD_test.json"):
        _write(tmp_path / "drcd", name, _squad(DEV, name[5:8]))
    assert DRCD(tmp_path / "drcd").get_test_examples()[1].answers == [("首尔", DEV_OFFSET)]
    with pytest.raises(HubcoreError, match=r"cmrc2018: no DRCD files \(DRCD_training\.json, "):
        DRCD(tmp_path / "cmrc2018")


def test_cmrc2018_files_come_through_the_asset_cache_with_their_md5(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registered = hubcore.get_registry().components["dataset"]["cmrc2018"].assets
    assert [(a.urls[0], a.md5) for a in registered] == [  # PaddleNLP's paddlenlp/datasets/cmrc2018.py
        (
            "https://bj.bcebos.com/paddlenlp/datasets/cmrc/cmrc2018_train.json",
            "7fb714b479c7f40fbb16acabd7af0ede",
        ),
        (
            "https://bj.bcebos.com/paddlenlp/datasets/cmrc/cmrc2018_dev.json",
            "853b80709ff2d071f9fce196521b843c",
        ),
    ]
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    with pytest.raises(
        HubcoreError, match=r"CMRC2018 is not available: .*cmrc2018_train\.json \(md5 7fb714b4"
    ):
        CMRC2018()
    monkeypatch.delenv("HUBCORE_OFFLINE")
    served = {}
    for split, pairs in (("train", TRAIN), ("dev", DEV)):
        data = json.dumps(_squad(pairs, split), ensure_ascii=False).encode()
        name = f"cmrc2018_{split}.json"
        served[split] = Asset(
            name, "", 0, (asset_server.serve(name, data),), md5=hashlib.md5(data).hexdigest()
        )
    monkeypatch.setattr(CMRC2018, "split_files", served)
    assert [e.text_a for e in CMRC2018().get_dev_examples()] == [f"{c}的首都是哪里？" for c, _ in DEV]
    bad = dict(served, dev=Asset("cmrc2018_dev.json", "", 0, served["dev"].urls, md5="0" * 32))
    monkeypatch.setattr(CMRC2018, "split_files", bad)
    with pytest.raises(HubcoreError, match=r"CMRC2018 is not available: .*md5"):
        CMRC2018()


DEV_OFFSET = 1 + 6  # DEV[1] has a one-character lead


def test_windows_hold_the_answer_at_its_token_positions() -> None:
    context = "甲乙丙丁戊己庚辛壬癸" * 3 + "答案在这里" + "子丑寅卯辰巳午未申酉" * 3
    start = context.index("答案")
    example = ReadingExample(guid="q", text_a="问题", text_b=context, answers=[("答案在这里", start)])
    tokenizer = HashCharTokenizer(257)
    reader = ReadingComprehensionReader(None, tokenizer, max_seq_len=26, doc_stride=8)
    items = reader.encode([example])
    assert len(items) > 3  # a 65-character context in 20-character windows, 8 apart
    covered = set()
    holding = 0
    for item in items:
        window = reader.windows[item["window_id"]]
        chars = window.char_of_position
        covered.update(c for c in chars if c >= 0)
        assert chars[:2] == (-1, -1)  # the question's two characters
        s, e = item["labels"]
        if (s, e) == (0, 0):
            assert not (start in chars and start + 4 in chars)
        else:
            holding += 1
            assert "".join(context[chars[p]] for p in range(s, e + 1)) == "答案在这里"
            assert item["input_ids"][s : e + 1] == tokenizer._ids(list("答案在这里"))
    assert holding >= 1 and covered == set(range(len(context)))
    batch = reader.collate(items[:2])
    assert batch["labels"].shape == (2, 2) and batch["window_id"].tolist() == [0, 1]


def test_the_cmrc2018_metric_on_hand_worked_cases() -> None:
    assert segments("The Beijing city，北京！") == ["the", "beijing", "city", "北", "京"]
    assert exact_match("北京。", ["北京"]) == 1.0 and exact_match("北京市", ["北京"]) == 0.0
    assert f1_score("北京市", ["北京"]) == pytest.approx(0.8)  # P 2/3, R 1
    assert f1_score("the Beijing city", ["Beijing"]) == pytest.approx(0.5)  # P 1/3, R 1
    assert f1_score("北上京", ["北京"]) == pytest.approx(
        0.4
    )  # longest common run is 1, not a subsequence of 2
    assert f1_score("上海", ["北京", "上海市"]) == pytest.approx(0.8)  # best reference
    assert f1_score("广州", ["北京"]) == 0.0
    assert em_f1([("北京", ["北京"]), ("上海", ["北京"])]) == {"em": 0.5, "f1": 0.5}


@pytest.mark.slow
def test_reading_comprehension_trains_saves_and_reloads(
    data: ReadingComprehensionDataset, tmp_path: Path
) -> None:
    context = hubcore.Module("toy_text", dim=32, hidden=32, dropout=0.0).context(
        trainable=True, max_seq_len=64
    )
    reader = ReadingComprehensionReader(data, context.tokenizer, max_seq_len=64, doc_stride=16)
    config = RunConfig(
        num_epoch=30, batch_size=3, checkpoint_dir=tmp_path / "run", progress=False, eval_interval=20,
        strategy=hubcore.AdamWeightDecayStrategy(learning_rate=1e-2, warmup_proportion=0.0),
    )  # fmt: skip
    task = ReadingComprehensionTask(context, reader, config, max_answer_len=10)
    before = task.eval("dev")
    summary = task.finetune()
    evals = [record for record in summary["history"] if record["phase"] == "dev"]
    best = max(record["em"] for record in evals)
    assert best > before["em"] and {"em", "f1", "loss"} <= set(evals[-1])
    saved = json.loads((tmp_path / "run" / "best_model" / "task.json").read_text(encoding="utf-8"))
    assert saved["task"] == "reading_comprehension" and saved["reader"] == "reading_comprehension"
    task.model.load_state_dict(ckpt.load_weights(tmp_path / "run" / "best_model" / ckpt.WEIGHTS))
    inputs = [{"question": f"{c}的首都是哪里？", "context": f"{c}的首都是{k}。{FILLER}"} for c, k in DEV]
    kept = len(task.reader.windows)
    ours = task.predict(inputs)
    assert len(task.reader.windows) == kept  # prediction windows are dropped once decoded
    loaded = load_task(tmp_path / "run").predict([[i["question"], i["context"]] for i in inputs])
    assert [(a["text"], a["start"], a["end"]) for a in loaded] == [
        (a["text"], a["start"], a["end"]) for a in ours
    ]
    assert all(a["text"] == inputs[n]["context"][a["start"] : a["end"]] for n, a in enumerate(ours))
    assert task.eval("dev")["em"] == pytest.approx(best)
    with pytest.raises(HubcoreError, match="input 0: expected"):
        task.predict(["只有一段文字"])
    assert torch.is_tensor(task.reader.collate(task.encoded("dev"))["window_id"])
