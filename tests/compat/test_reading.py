"""PaddleHub 1.x's reading-comprehension spelling on LAC's encoder and a CMRC2018-layout folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import hubcore.compat as hub
from hubcore import HubcoreError

PAIRS = [("法国", "巴黎"), ("日本", "东京"), ("英国", "伦敦"), ("德国", "柏林")]  # written for this test


def _cmrc_folder(root: Path) -> Path:
    """PaddleHub's cmrc2018/ folder: cmrc2018_train.json and cmrc2018_dev.json in the official layout."""
    folder = root / "cmrc2018"
    folder.mkdir(parents=True)
    paragraphs = []
    for n, (country, capital) in enumerate(PAIRS):
        context = f"{country}的首都是{capital}。那里很热闹。"
        answer = {"text": capital, "answer_start": 6}
        qa = {"id": f"q{n}", "question": f"{country}的首都是哪里？", "answers": [answer]}
        paragraphs.append({"id": f"p{n}", "context": context, "qas": [qa]})
    content = json.dumps(
        {"version": "v1.0", "data": [{"id": "a", "paragraphs": paragraphs}]}, ensure_ascii=False
    )
    for name in ("cmrc2018_train.json", "cmrc2018_dev.json"):
        (folder / name).write_text(content, encoding="utf-8")
    return folder


@pytest.mark.slow
def test_reading_comprehension_task_as_paddlehub_spelt_it(tmp_path: Path) -> None:
    dataset = hub.dataset.CMRC2018(data_dir=_cmrc_folder(tmp_path))
    module = hub.Module(name="lac")
    _, outputs, _ = module.context(trainable=True, max_seq_len=32)
    reader = hub.reader.ReadingComprehensionReader(
        dataset=dataset, vocab_path=None, max_seq_len=32, doc_stride=8, max_query_length=12
    )
    config = hub.RunConfig(num_epoch=1, batch_size=2, checkpoint_dir=tmp_path / "ck", progress=False)
    with pytest.raises(HubcoreError, match="token-level"):
        hub.ReadingComprehensionTask(feature=outputs["pooled_output"], data_reader=reader, config=config)
    task = hub.ReadingComprehensionTask(
        feature=outputs["sequence_output"], data_reader=reader, config=config, sub_task="cmrc2018",
        n_best_size=5, max_answer_length=4, metrics_choices=["em", "f1"],
    )  # fmt: skip
    first = task.task.encoded("train")[0]
    s, e = first["labels"]
    window = task.task.reader.windows[first["window_id"]]
    assert window.context[window.char_of_position[s] : window.char_of_position[e] + 1] == "巴黎"
    task.finetune()
    metrics = task.eval(load_best_model=True)
    assert task.task.main_metric == "em" and 0.0 <= metrics["em"] <= metrics["f1"] <= 1.0
    context = "英国的首都是伦敦。那里很热闹。"
    answer = task.predict(data=[["英国的首都是哪里？", context]], return_result=True)[0]
    assert answer["text"] == context[answer["start"] : answer["end"]] and 1 <= len(answer["text"]) <= 4
