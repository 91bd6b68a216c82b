"""Input hardening (issue 10): sequence-labelling input shapes and CR-only TSV files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import hubcore
from hubcore.finetune import RunConfig, SequenceLabelTask, TextClassificationDataset


@pytest.fixture
def tagger(tmp_path: Path, toy_context: Any, make_reader: Any) -> SequenceLabelTask:
    reader = make_reader("seq", toy_context, limit=8)
    return SequenceLabelTask(toy_context, reader, RunConfig(checkpoint_dir=tmp_path / "run"))


def test_sequence_labelling_predict_takes_its_documented_shapes(tagger: SequenceLabelTask) -> None:
    as_text = tagger.predict(["我们是学生"])[0]
    assert len(as_text) == 5  # one tag per character
    assert tagger.predict([["我", "们", "是", "学", "生"]])[0] == as_text
    assert tagger.predict(["我\x02们\x02是\x02学\x02生"])[0] == as_text  # the data files' form
    words = tagger.predict([["我们", "是", "学生"]])[0]
    assert len(words) == 3  # a list is its tokens: one tag per word


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([["我\x02们\x02是"]], r"input 0: token 0 is a '\\x02'-joined text inside a list"),
        ([["我", 5]], r"input 0: token 1 is 5, not a non-empty string"),
        ([["我", ""]], r"input 0: token 1 is '', not a non-empty string"),
        ([42], r"input 0: expected a text, a list of its characters or words.*got a int"),
        (["我\x02\x02们"], r"input 0: the '\\x02'-joined text .* has an empty token"),
        ([[]], r"input 0: empty list of tokens"),
    ],
    ids=["paddlehub-wrapped", "non-string-token", "empty-token", "number", "empty-joined-token", "empty"],
)
def test_sequence_labelling_predict_refuses_other_shapes_clearly(
    tagger: SequenceLabelTask, data: Any, message: str
) -> None:
    with pytest.raises(hubcore.HubcoreError, match=message):
        tagger.predict(data)


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"], ids=["cr", "crlf", "lf"])
def test_a_tsv_with_any_line_ending_is_read_row_by_row(tmp_path: Path, ending: str) -> None:
    rows = ["text_a\tlabel", "很好\tpositive", "太差\tnegative", "一般\tpositive"]
    path = tmp_path / "train.tsv"
    path.write_bytes(ending.join(rows).encode("utf-8") + ending.encode())
    examples = TextClassificationDataset(path).get_train_examples()
    assert [(e.text_a, e.label) for e in examples] == [
        ("很好", "positive"),
        ("太差", "negative"),
        ("一般", "positive"),
    ]
    assert [e.guid for e in examples] == ["train-2", "train-3", "train-4"]  # line numbers as written
