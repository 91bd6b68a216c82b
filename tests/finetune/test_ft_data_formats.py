"""Data set file formats: what each reads, and errors that name the file, the line and the fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from hubcore import HubcoreError
from hubcore.finetune import (
    DatasetFormatError,
    ImageClassificationDataset,
    InputExample,
    MultiLabelDataset,
    SequenceLabelDataset,
    TextClassificationDataset,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_classification_reads_single_texts_and_derives_sorted_labels(tmp_path: Path) -> None:
    train = write(tmp_path / "train.tsv", "很好\tpos\n\n太差了\tneg\n还行\tpos\n")
    dev = write(tmp_path / "dev.tsv", "不错\tpos\n")
    ds = TextClassificationDataset(train, dev)
    examples = ds.get_train_examples()
    assert [(e.text_a, e.text_b, e.label) for e in examples] == [
        ("很好", None, "pos"),
        ("太差了", None, "neg"),
        ("还行", None, "pos"),
    ]
    assert examples[1].guid == "train-3"  # guids carry the line number, blank lines counted
    assert ds.get_labels() == ["neg", "pos"] and ds.num_labels == 2
    assert ds.get_dev_examples()[0].label == "pos"
    assert ds.get_test_examples() == []


def test_classification_reads_pairs_and_a_label_first_header(tmp_path: Path) -> None:
    pairs = write(tmp_path / "pairs.tsv", "a\tb\t1\nc\td\t0\n")
    assert TextClassificationDataset(pairs).get_train_examples()[0] == InputExample("train-1", "a", "b", "1")
    headed = write(tmp_path / "headed.tsv", "label\ttext_a\n1\t好评\n0\t差评\n")
    examples = TextClassificationDataset(headed).get_train_examples()
    assert [(e.text_a, e.label) for e in examples] == [("好评", "1"), ("差评", "0")]
    with_ids = write(tmp_path / "ids.tsv", "qid\tlabel\ttext_a\nq7\t1\t好评\n")
    assert TextClassificationDataset(with_ids).get_train_examples() == [InputExample("q7", "好评", None, "1")]


def test_unlabelled_files_read_for_prediction(tmp_path: Path) -> None:
    path = write(tmp_path / "test.tsv", "只有文本\n另一条\n")
    examples = TextClassificationDataset(
        test_file=path, labelled=False, label_list=["0", "1"]
    ).get_test_examples()
    assert [(e.text_a, e.label) for e in examples] == [("只有文本", None), ("另一条", None)]


@pytest.mark.parametrize(
    ("content", "fault"),
    [
        ("好\tpos\n坏\tneg\textra\tfield\n", "line 2: expected 2 tab-separated fields"),
        ("好\tpos\n\tneg\n", "line 2: text_a is empty"),
        ("好\tpos\n坏\t \n", "line 2: label is empty"),
        ("只有一列\n", "line 1: expected 2 or 3 tab-separated fields, found 1"),
        ("text_a\tlabel\ttext_a\n", "line 1: header"),
    ],
)
def test_classification_format_errors_name_file_and_line(tmp_path: Path, content: str, fault: str) -> None:
    path = write(tmp_path / "bad.tsv", content)
    with pytest.raises(DatasetFormatError, match=fault) as info:
        TextClassificationDataset(path).get_train_examples()
    assert str(path) in str(info.value)
    assert isinstance(info.value, HubcoreError) and isinstance(info.value, ValueError)


def test_dev_label_outside_the_training_labels_is_reported_with_its_line(tmp_path: Path) -> None:
    train = write(tmp_path / "train.tsv", "好\tpos\n坏\tneg\n")
    dev = write(tmp_path / "dev.tsv", "好\tpos\n一般\tneutral\n")
    with pytest.raises(
        DatasetFormatError, match=r"dev.tsv, line 2: label 'neutral' is not in the label list"
    ):
        TextClassificationDataset(train, dev).get_dev_examples()


def test_missing_file_and_bad_encoding_are_format_errors(tmp_path: Path) -> None:
    with pytest.raises(DatasetFormatError, match="no such train file"):
        TextClassificationDataset(tmp_path / "absent.tsv").get_train_examples()
    latin = tmp_path / "latin.tsv"
    latin.write_bytes(b"ok\tpos\n" + "caf\xe9\tpos\n".encode("latin-1"))
    with pytest.raises(DatasetFormatError, match=r"latin\.tsv, line 2: not UTF-8"):
        TextClassificationDataset(latin).get_train_examples()
    with pytest.raises(HubcoreError, match="unknown phase 'valid'"):
        TextClassificationDataset(latin).get_examples("valid")


def test_sequence_labels_split_on_002_and_put_o_first(tmp_path: Path) -> None:
    train = write(
        tmp_path / "train.tsv",
        "text_a\tlabel\n张\002三\002来\tB-PER\002I-PER\002O\n北\002京\tB-LOC\002I-LOC\n",
    )
    ds = SequenceLabelDataset(train)
    first = ds.get_train_examples()[0]
    assert first.text_a == "张\002三\002来" and first.label == ["B-PER", "I-PER", "O"]
    assert ds.get_labels() == ["O", "B-LOC", "B-PER", "I-LOC", "I-PER"]


def test_sequence_label_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "seg.tsv", "我\002们\tB\002E\n你\002们\002好\tB\002E\n")
    with pytest.raises(DatasetFormatError, match=r"seg.tsv, line 2: 3 characters but 2 tags"):
        SequenceLabelDataset(path).get_train_examples()
    untagged = write(tmp_path / "untagged.tsv", "我\002们\n")
    with pytest.raises(DatasetFormatError, match="line 1: no tags"):
        SequenceLabelDataset(untagged).get_train_examples()
    test = SequenceLabelDataset(test_file=untagged, label_list=["B", "E"]).get_test_examples()
    assert test[0].label is None


def test_multi_label_lists_and_empty_label_sets(tmp_path: Path) -> None:
    path = write(tmp_path / "ml.tsv", "又快又便宜\tfast,cheap\n一般\t\n只是快\tfast\n")
    ds = MultiLabelDataset(path)
    assert [e.label for e in ds.get_train_examples()] == [["fast", "cheap"], [], ["fast"]]
    assert ds.get_labels() == ["cheap", "fast"]
    twice = write(tmp_path / "twice.tsv", "x\tfast,fast\n")
    with pytest.raises(DatasetFormatError, match="line 1: a label is repeated"):
        MultiLabelDataset(twice).get_train_examples()


def test_image_lists_resolve_paths_and_label_indices(tmp_path: Path) -> None:
    (tmp_path / "img").mkdir()
    for name in ("a.png", "b.png"):
        (tmp_path / "img" / name).write_bytes(b"not read by the data set")
    labels = write(tmp_path / "labels.txt", "cat\ndog\n")
    listing = write(tmp_path / "train_list.txt", "img/a.png dog\nimg/b.png 0\n")
    ds = ImageClassificationDataset(listing, label_list_file=labels)
    examples = ds.get_train_examples()
    assert [e.text_a for e in examples] == [str((tmp_path / "img" / n).resolve()) for n in ("a.png", "b.png")]
    assert [e.label for e in examples] == ["dog", "cat"]
    assert ds.get_labels() == ["cat", "dog"]


@pytest.mark.parametrize(
    ("line", "fault"),
    [
        ("img/missing.png cat", "line 1: image .*missing.png does not exist"),
        ("img/a.png 7", "line 1: label index 7 is out of range"),
        ("img/a.png bird", "line 1: label 'bird' is not in the label list"),
        ("justonefield", "line 1: expected 'relative/path label'"),
    ],
)
def test_image_list_errors(tmp_path: Path, line: str, fault: str) -> None:
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "a.png").write_bytes(b"")
    labels = write(tmp_path / "labels.txt", "cat\ndog\n")
    listing = write(tmp_path / "list.txt", line + "\n")
    with pytest.raises(DatasetFormatError, match=fault):
        ImageClassificationDataset(listing, label_list_file=labels).get_train_examples()
