"""The pairwise matching reader: a training batch holds each (query, positive) pair and, under
:data:`NEGATIVE`-prefixed keys, its (query, negative) pair; evaluation batches hold labelled pairs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from hubcore.finetune.data.datasets import InputExample
from hubcore.finetune.readers.base import BaseReader
from hubcore.finetune.tasks import metrics as metrics

NEGATIVE = "neg_"  # prefix of the negative pair's features in a training batch


class PairwiseMatchingReader(BaseReader):
    """A triple as two pairs (the negative's features prefixed ``neg_``); a labelled pair as one."""

    registered_name = "pairwise_matching"

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        tokenizer = self.require_tokenizer()
        item = self.checked_features(
            tokenizer.encode(example.text_a, example.text_b, max_seq_len=self.max_seq_len), example
        )
        negative = getattr(example, "text_c", None)
        if negative is not None:
            features = tokenizer.encode(example.text_a, negative, max_seq_len=self.max_seq_len)
            item.update({NEGATIVE + k: v for k, v in self.checked_features(features, example).items()})
        elif isinstance(example.label, str):
            item["labels"] = self.label_id(example, example.label)
        return item

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = super().collate(encoded)
        key = NEGATIVE + "input_ids"
        if key in batch and NEGATIVE + "attention_mask" not in batch:
            lengths = torch.tensor([len(item[key]) for item in encoded])
            positions = torch.arange(batch[key].shape[1])
            batch[NEGATIVE + "attention_mask"] = (positions[None, :] < lengths[:, None]).long()
        return batch

    def pad_value(self, name: str) -> int:
        return super().pad_value(name.removeprefix(NEGATIVE))

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)
