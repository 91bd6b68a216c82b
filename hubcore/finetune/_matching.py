"""Pairwise text matching, as PaddleHub 1.x's PairwiseTextMatchingTask: rank a positive above a negative.

Training rows are triples ``query<TAB>positive<TAB>negative``; the loss is the hinge
``max(0, margin - score(query, positive) + score(query, negative))`` on one score per
(query, text) pair read from the encoder's pooled feature.  Dev and test rows are
PaddleHub's pointwise pairs ``query<TAB>text<TAB>label`` (0/1): a pair matches when its
score is positive; accuracy (main) and F1 are reported.  (Pointwise matching is a
TextClassifierTask over pairs: a ClassifyReader reads ``text_a``/``text_b``.)
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune import _metrics as metrics
from hubcore.finetune._config import RunConfig
from hubcore.finetune._datasets import BaseDataset, DatasetFormatError, InputExample, _tsv_rows
from hubcore.finetune._interfaces import POOLED_OUTPUT, ModuleContext
from hubcore.finetune._readers import BaseReader
from hubcore.finetune._task import BasicTask, TaskModel

NEGATIVE = "neg_"  # prefix of the negative pair's features in a training batch
_HEADER_NAMES = {"text_a", "text_b", "text_c", "label", "query", "title"}


@dataclass
class TripleExample(InputExample):
    """A training triple: ``text_a`` the query, ``text_b`` the positive, ``text_c`` the negative."""

    text_c: str | None = None


class PairwiseMatchingDataset(BaseDataset):
    """Triples for training, labelled pairs (``0``/``1``) for dev and test; a header row is skipped."""

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=["0", "1"])

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        first = True
        for line_no, fields in _tsv_rows(path):
            if first:
                first = False
                if {field.strip() for field in fields} <= _HEADER_NAMES:
                    continue
            if len(fields) != 3 or not all(field.strip() for field in fields):
                shape = "query, positive, negative" if phase == "train" else "query, text, label"
                raise DatasetFormatError(f"{path}, line {line_no}: expected 3 non-empty fields ({shape})")
            a, b, c = (field.strip() for field in fields)
            guid = f"{phase}-{line_no}"
            if phase == "train":
                yield line_no, TripleExample(guid=guid, text_a=a, text_b=b, text_c=c)
            else:
                yield line_no, InputExample(guid=guid, text_a=a, text_b=b, label=c)


class PairwiseMatchingReader(BaseReader):
    """A triple as two pairs (the negative's features prefixed ``neg_``); a labelled pair as one."""

    registered_name = "pairwise_matching"

    def _encode_one(self, example: InputExample) -> dict[str, Any]:
        tokenizer = self._require_tokenizer()
        item = self._checked(
            tokenizer.encode(example.text_a, example.text_b, max_seq_len=self.max_seq_len), example
        )
        negative = getattr(example, "text_c", None)
        if negative is not None:
            features = tokenizer.encode(example.text_a, negative, max_seq_len=self.max_seq_len)
            item.update({NEGATIVE + k: v for k, v in self._checked(features, example).items()})
        elif isinstance(example.label, str):
            item["labels"] = self._label_id(example, example.label)
        return item

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        batch = super().collate(encoded)
        key = NEGATIVE + "input_ids"
        if key in batch and NEGATIVE + "attention_mask" not in batch:
            lengths = torch.tensor([len(item[key]) for item in encoded])
            positions = torch.arange(batch[key].shape[1])
            batch[NEGATIVE + "attention_mask"] = (positions[None, :] < lengths[:, None]).long()
        return batch

    def _pad_value(self, name: str) -> int:
        return super()._pad_value(name.removeprefix(NEGATIVE))

    def _collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)


class PairwiseTextMatchingTask(BasicTask):
    """Score (query, text) pairs so positives outrank negatives by ``margin``; accuracy (main), F1."""

    main_metric = "acc"
    greater_is_better = True

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
        config: RunConfig | None = None,
        *,
        margin: float = 0.5,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        if not margin > 0:
            raise HubcoreError(f"PairwiseTextMatchingTask: margin must be positive, not {margin}")
        self.margin, self.dropout = float(margin), float(dropout)
        self.hparams = {"margin": self.margin, "dropout": self.dropout}
        self.label_list = ["0", "1"]

    def build_head(self) -> nn.Module:
        return nn.Sequential(nn.Dropout(self.dropout), nn.Linear(self.context.sentence_dim, 1))

    def _score(self, model: TaskModel, batch: dict[str, Any], prefix: str = "") -> torch.Tensor:
        features = {
            k.removeprefix(prefix): v
            for k, v in batch.items()
            if k.startswith(prefix) and k != "labels" and (prefix or not k.startswith(NEGATIVE))
        }
        scores: torch.Tensor = model.head(model.encoder(**features)[POOLED_OUTPUT]).squeeze(-1)
        return scores

    def forward(self, model: TaskModel, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        outputs = {"score": self._score(model, batch)}
        if NEGATIVE + "input_ids" in batch:
            negative = self._score(model, batch, NEGATIVE)
            outputs["loss"] = F.relu(self.margin - outputs["score"] + negative).mean()
        return outputs

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        if "loss" in outputs:
            return outputs["loss"]
        return F.binary_cross_entropy_with_logits(outputs["score"], batch["labels"].float())

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        return (outputs["score"] > 0).long().tolist()

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        scores = metrics.precision_recall_f1(predictions, labels, num_classes=2, average="binary")
        return {"acc": metrics.accuracy(predictions, labels), **scores}

    def postprocess(self, prediction: Any) -> Any:
        return self.label_list[prediction]
