"""Text readers: encoding with a module's tokenizer, label alignment, padding, seeded order, saving."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import hubcore
from hubcore import HubcoreError
from hubcore.finetune import (
    BaseReader,
    ClassifyReader,
    InputExample,
    MultiLabelClassifyReader,
    MultiLabelDataset,
    SequenceLabelDataset,
    SequenceLabelReader,
    TextClassificationDataset,
    Tokenizer,
)
from hubcore.finetune.readers.base import IGNORE_INDEX
from hubcore.testing.tokenizers import CharTokenizer


class PieceTokenizer:
    """Splits tokens longer than two characters into two-character pieces (a wordpiece stand-in)."""

    def __init__(self) -> None:
        self.pad_values = {"input_ids": 9}

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        return {"input_ids": [ord(c) % 50 for c in text_a][:max_seq_len]}

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        ids, positions = [1], [-1]  # a leading special token
        for index, token in enumerate(tokens):
            for start in range(0, len(token), 2):
                ids.append(len(token[start : start + 2]))
                positions.append(index)
        return {"input_ids": ids[:max_seq_len]}, positions[:max_seq_len]


@pytest.fixture
def sentiment(tmp_path: Path) -> TextClassificationDataset:
    rows = [
        "text_a\ttext_b\tlabel",
        "好吃\t便宜\tpos",
        "难吃\t贵\tneg",
        "很好\t值\tpos",
        "不好\t差\tneg",
        "一般\t还行\tpos",
    ]
    (tmp_path / "train.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return TextClassificationDataset(tmp_path / "train.tsv")


@pytest.fixture
def bert_like(sentiment: TextClassificationDataset) -> CharTokenizer:
    texts = [e.text_a + (e.text_b or "") for e in sentiment.get_train_examples()]
    return CharTokenizer.from_texts(texts, special_tokens=True)


def test_tokenizers_satisfy_the_protocol(bert_like: CharTokenizer) -> None:
    assert isinstance(bert_like, Tokenizer) and isinstance(PieceTokenizer(), Tokenizer)


def test_classify_encodes_pairs_with_label_ids(
    sentiment: TextClassificationDataset, bert_like: CharTokenizer
) -> None:
    reader = ClassifyReader(sentiment, bert_like, max_seq_len=16)
    assert reader.label_list == ["neg", "pos"]
    item = reader.encode(reader.examples("train")[:1])[0]
    v = bert_like.vocab
    assert item["input_ids"] == [v["[CLS]"], v["好"], v["吃"], v["[SEP]"], v["便"], v["宜"], v["[SEP]"]]
    assert item["token_type_ids"] == [0, 0, 0, 0, 1, 1, 1]
    assert item["labels"] == 1
    assert "labels" not in reader.encode_texts(["好吃"])[0]


def test_collate_pads_each_feature_with_its_pad_value(sentiment: TextClassificationDataset) -> None:
    tokenizer = PieceTokenizer()
    reader = ClassifyReader(sentiment, tokenizer, max_seq_len=8)
    batch = reader.collate(reader.encode_texts(["abcd", "ab"]))
    assert batch["input_ids"].tolist() == [[47, 48, 49, 0], [47, 48, 9, 9]]  # ord % 50, pad 9
    assert batch["attention_mask"].tolist() == [[1, 1, 1, 1], [1, 1, 0, 0]]
    assert batch["input_ids"].dtype == torch.long and "labels" not in batch
    labelled = reader.collate(reader.encode(reader.examples("train")[:3]))
    assert labelled["labels"].tolist() == [1, 0, 1] and labelled["labels"].dtype == torch.long


def test_truncation_to_max_seq_len(sentiment: TextClassificationDataset, bert_like: CharTokenizer) -> None:
    reader = ClassifyReader(sentiment, bert_like, max_seq_len=5)
    item = reader.encode_texts([["好吃好吃好吃", "便宜便宜"]])[0]
    assert len(item["input_ids"]) == 5 and item["input_ids"].count(bert_like.vocab["[SEP]"]) == 2


def test_batches_are_seeded_and_cover_every_example(
    sentiment: TextClassificationDataset, bert_like: CharTokenizer
) -> None:
    reader = ClassifyReader(sentiment, bert_like)
    assert [len(b["labels"]) for b in reader.batches("train", 2)] == [2, 2, 1]
    assert [len(b["labels"]) for b in reader.batches("train", 2, drop_last=True)] == [2, 2]

    def firsts(seed: int) -> list[int]:
        return [
            i
            for b in reader.batches("train", 2, shuffle=True, seed=seed)
            for i in b["input_ids"][:, 1].tolist()
        ]

    assert firsts(7) == firsts(7)
    expected = torch.randperm(5, generator=torch.Generator().manual_seed(7)).tolist()
    plain = [i for b in reader.batches("train", 5) for i in b["input_ids"][:, 1].tolist()]
    assert firsts(7) == [plain[i] for i in expected]
    assert any(firsts(seed) != plain for seed in range(5))


def test_sequence_labels_align_to_feature_positions(tmp_path: Path) -> None:
    (tmp_path / "train.tsv").write_text("张\002三丰\002来\tB-PER\002I-PER\002O\n", encoding="utf-8")
    dataset = SequenceLabelDataset(tmp_path / "train.tsv")
    reader = SequenceLabelReader(dataset, PieceTokenizer(), max_seq_len=6)
    assert reader.label_list == ["O", "B-PER", "I-PER"]
    item = reader.encode(dataset.get_train_examples())[0]
    # [special], 张, 三丰 (two characters: one piece), 来
    assert item["input_ids"] == [1, 1, 2, 1]
    assert item["labels"] == [IGNORE_INDEX, 1, 2, 0]
    batch = reader.collate([item, reader.encode_texts([["张"]])[0] | {"labels": [IGNORE_INDEX, 1]}])
    assert batch["labels"].tolist() == [
        [IGNORE_INDEX, 1, 2, 0],
        [IGNORE_INDEX, 1, IGNORE_INDEX, IGNORE_INDEX],
    ]


def test_later_pieces_of_a_split_token_are_ignored_and_decode_maps_back(tmp_path: Path) -> None:
    (tmp_path / "t.tsv").write_text("abcde\002f\tB\002S\n", encoding="utf-8")
    dataset = SequenceLabelDataset(tmp_path / "t.tsv")
    reader = SequenceLabelReader(dataset, PieceTokenizer(), max_seq_len=10)
    example = dataset.get_train_examples()[0]
    item = reader.encode([example])[0]
    assert reader.token_positions(example) == [-1, 0, 0, 0, 1]
    assert item["labels"] == [IGNORE_INDEX, 0, IGNORE_INDEX, IGNORE_INDEX, 1]  # label list ["B", "S"]
    assert reader.decode(example, [1, 1, 0, 0, 0]) == ["S", "B"]


def test_char_level_tokenizer_without_specials_labels_every_position() -> None:
    tokenizer = CharTokenizer.from_texts(["我们好"])
    reader = SequenceLabelReader(None, tokenizer, max_seq_len=2, label_list=["B", "E", "S"])
    example = InputExample("x", "我\002们\002好", label=["B", "E", "S"])
    item = reader.encode([example])[0]
    assert item["labels"] == [0, 1] and len(item["input_ids"]) == 2  # truncated tail dropped
    assert reader.encode_texts(["我们"])[0]["input_ids"] == [tokenizer.vocab["我"], tokenizer.vocab["们"]]


def test_multi_label_is_multi_hot(tmp_path: Path, bert_like: CharTokenizer) -> None:
    (tmp_path / "ml.tsv").write_text("好吃便宜\ttasty,cheap\n一般\t\n", encoding="utf-8")
    dataset = MultiLabelDataset(tmp_path / "ml.tsv", label_list=["cheap", "fast", "tasty"])
    reader = MultiLabelClassifyReader(dataset, bert_like)
    batch = reader.collate(reader.encode(dataset.get_train_examples()))
    assert batch["labels"].tolist() == [[1.0, 0.0, 1.0], [0.0, 0.0, 0.0]]
    assert batch["labels"].dtype == torch.float32


def test_regression_labels_are_floats(tmp_path: Path, bert_like: CharTokenizer) -> None:
    (tmp_path / "r.tsv").write_text("好\t4.5\n坏\t-1\n", encoding="utf-8")
    reader = ClassifyReader(TextClassificationDataset(tmp_path / "r.tsv"), bert_like, regression=True)
    batch = next(reader.batches("train", 2))
    assert batch["labels"].tolist() == [4.5, -1.0] and batch["labels"].dtype == torch.float32
    assert reader.label_list == []


def test_config_round_trips_through_json_without_the_data_set(
    sentiment: TextClassificationDataset, bert_like: CharTokenizer
) -> None:
    reader = ClassifyReader(sentiment, bert_like, max_seq_len=12)
    config = json.loads(json.dumps(reader.to_config()))
    assert config["reader"] == "ClassifyReader" and config["max_seq_len"] == 12
    rebuilt = BaseReader.from_config(config, bert_like)
    assert (
        type(rebuilt) is ClassifyReader and rebuilt.label_list == ["neg", "pos"] and rebuilt.dataset is None
    )
    assert rebuilt.encode_texts(["好吃"]) == reader.encode_texts(["好吃"])
    with pytest.raises(HubcoreError, match="not a SequenceLabelReader"):
        SequenceLabelReader.from_config(config, bert_like)
    with pytest.raises(HubcoreError, match="not a reader class"):
        BaseReader.from_config(config | {"entry": "hubcore._errors:HubcoreError"}, bert_like)
    with pytest.raises(HubcoreError, match="built without a data set"):
        rebuilt.examples("train")


def test_reader_errors_are_clear(sentiment: TextClassificationDataset, bert_like: CharTokenizer) -> None:
    with pytest.raises(HubcoreError, match="needs a tokenizer"):
        ClassifyReader(sentiment).encode_texts(["x"])
    with pytest.raises(HubcoreError, match="needs a data set or a label_list"):
        ClassifyReader(None, bert_like)
    reader = ClassifyReader(sentiment, bert_like)
    with pytest.raises(HubcoreError, match=r"example e: label 'meh' is not in the label list"):
        reader.encode([InputExample("e", "好", label="meh")])
    with pytest.raises(HubcoreError, match="unknown phase"):
        reader.examples("validation")


def test_registered_readers_resolve_to_their_classes() -> None:
    for name, cls in {
        "classify": ClassifyReader,
        "sequence_label": SequenceLabelReader,
        "multi_label_classify": MultiLabelClassifyReader,
    }.items():
        assert hubcore.load_component("reader", name) is cls and cls.registered_name == name


@pytest.mark.parametrize("max_seq_len", range(2, 10))
def test_char_tokenizer_never_exceeds_max_seq_len(max_seq_len: int) -> None:
    tokenizer = CharTokenizer.from_texts(["abcdef"], special_tokens=True)
    features = tokenizer.encode("abcdef", "abc", max_seq_len=max_seq_len)
    assert len(features["input_ids"]) == len(features["token_type_ids"]) <= max_seq_len
    assert features["input_ids"][0] == tokenizer.vocab["[CLS]"]
    assert features["input_ids"][-1] == tokenizer.vocab["[SEP]"]
    tokens, positions = tokenizer.encode_tokens(list("abcdef"), max_seq_len=max_seq_len)
    assert len(tokens["input_ids"]) == len(positions) <= max_seq_len and positions[0] == positions[-1] == -1
