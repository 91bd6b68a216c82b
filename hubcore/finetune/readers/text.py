"""The text readers: classification (or regression) of texts and pairs, multi-label, and
sequence labelling with labels aligned to the tokenizer's pieces.  See ``readers/base.py`` for
the encoded-example and batch shapes they share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Tokenizer
from hubcore.finetune.data.datasets import SEQ_SEP, BaseDataset, InputExample
from hubcore.finetune.readers.base import IGNORE_INDEX, BaseReader, first_pieces, pad_rows


class ClassifyReader(BaseReader):
    """One label per text or text pair; ``regression=True`` reads labels as numbers."""

    registered_name = "classify"

    def __init__(
        self,
        dataset: BaseDataset | None = None,
        tokenizer: Tokenizer | None = None,
        max_seq_len: int = 128,
        label_list: Sequence[str] | None = None,
        *,
        regression: bool = False,
    ) -> None:
        if regression and label_list is None:
            label_list = []  # a regression target has no label names
        super().__init__(dataset, tokenizer, max_seq_len, label_list)
        self.regression = regression

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        features = self.require_tokenizer().encode(
            example.text_a, example.text_b, max_seq_len=self.max_seq_len
        )
        item = self.checked_features(features, example)
        if example.label is not None:
            if not isinstance(example.label, str):
                raise HubcoreError(f"example {example.guid}: a classification label must be one string")
            item["labels"] = (
                self._number(example) if self.regression else self.label_id(example, example.label)
            )
        return item

    def _number(self, example: InputExample) -> float:
        try:
            return float(str(example.label))
        except ValueError:
            raise HubcoreError(
                f"example {example.guid}: regression label {example.label!r} is not a number"
            ) from None

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.float32 if self.regression else torch.long)

    def options(self) -> dict[str, Any]:
        return {"regression": self.regression}


class MultiLabelClassifyReader(BaseReader):
    """Any number of labels per text: a multi-hot float vector over the label list."""

    registered_name = "multi_label_classify"

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        features = self.require_tokenizer().encode(
            example.text_a, example.text_b, max_seq_len=self.max_seq_len
        )
        item = self.checked_features(features, example)
        if example.label is not None:
            labels = [example.label] if isinstance(example.label, str) else example.label
            hot = [0.0] * len(self._label_list)
            for label in labels:
                hot[self.label_id(example, label)] = 1.0
            item["labels"] = hot
        return item

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.float32)


class SequenceLabelReader(BaseReader):
    """One tag per character, aligned to the tokenizer's feature positions.

    A token the tokenizer splits into several pieces is labelled at its first piece;
    later pieces and special tokens get :data:`IGNORE_INDEX`.  Characters beyond
    ``max_seq_len`` are dropped.  :meth:`decode` maps per-position predictions back
    to one tag per kept character.
    """

    registered_name = "sequence_label"

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        tokens = example.text_a.split(SEQ_SEP)
        features, positions = self._encode_tokens(tokens, example)
        item = self.checked_features(features, example)
        if example.label is not None:
            tags = [example.label] if isinstance(example.label, str) else example.label
            if len(tags) != len(tokens):
                raise HubcoreError(f"example {example.guid}: {len(tokens)} characters but {len(tags)} tags")
            item["labels"] = [
                IGNORE_INDEX if first is None else self.label_id(example, tags[first])
                for first in first_pieces(positions)
            ]
        return item

    def token_positions(self, example: InputExample) -> list[int]:
        """For each feature position, the index of its character (-1 for special tokens)."""
        return self._encode_tokens(example.text_a.split(SEQ_SEP), example)[1]

    def decode(self, example: InputExample, predicted: Sequence[int]) -> list[str]:
        """Tag names of the example's kept characters from per-position predicted label ids."""
        tags: list[str] = []
        for position, first in enumerate(first_pieces(self.token_positions(example))):
            if first is not None:
                tags.append(self._label_list[int(predicted[position])])
        return tags

    def _encode_tokens(
        self, tokens: list[str], example: InputExample
    ) -> tuple[dict[str, list[int]], list[int]]:
        features, positions = self.require_tokenizer().encode_tokens(tokens, max_seq_len=self.max_seq_len)
        if len(positions) != len(features.get("input_ids", ())):
            raise HubcoreError(f"example {example.guid}: the tokenizer's positions do not match its features")
        return features, positions

    def text_example(self, index: int, item: str | Sequence[str]) -> InputExample:
        return InputExample(guid=f"input-{index}", text_a=SEQ_SEP.join(sequence_tokens(index, item)))

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return pad_rows(labels, IGNORE_INDEX, torch.long)


_SHAPES = "a text, a list of its characters or words, or a '\\x02'-joined text"


def sequence_tokens(index: int, item: Any) -> list[str]:
    """The tokens of one sequence-labelling input, in one of its documented shapes, else an error.

    A text is split into characters, or at ``\\x02`` when it holds one (the data files'
    form); a list is its tokens already.  Anything else, a list wrapping a ``\\x02``-joined
    text included (PaddleHub's ``[["我\\x02们"]]``), is refused rather than tagged as one token.
    """
    if isinstance(item, str):
        tokens = item.split(SEQ_SEP) if SEQ_SEP in item else list(item)
        if not item:
            raise HubcoreError(f"input {index}: empty text")
        if not all(tokens):
            raise HubcoreError(f"input {index}: the '\\x02'-joined text {item!r} has an empty token")
        return tokens
    if not isinstance(item, (list, tuple)):
        raise HubcoreError(f"input {index}: expected {_SHAPES}, got a {type(item).__name__}")
    if not item:
        raise HubcoreError(f"input {index}: empty list of tokens")
    for position, token in enumerate(item):
        if not isinstance(token, str) or not token:
            raise HubcoreError(
                f"input {index}: token {position} is {token!r}, not a non-empty string; expected {_SHAPES}"
            )
        if SEQ_SEP in token:
            raise HubcoreError(
                f"input {index}: token {position} is a '\\x02'-joined text inside a list; pass the text "
                f"itself (not wrapped in a list), or its tokens as a list"
            )
    return list(item)
