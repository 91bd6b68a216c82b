"""Pairwise text matching, as PaddleHub 1.x's PairwiseTextMatchingTask: rank a positive above a negative.

The loss is the hinge ``max(0, margin - score(query, positive) + score(query, negative))`` on
one score per (query, text) pair read from the encoder's pooled feature.  On dev and test
pairs a pair matches when its score is positive; accuracy (main) and F1 are reported.
(Pointwise matching is a TextClassifierTask over pairs: a ClassifyReader reads both texts.)"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune.config import RunConfig
from hubcore.finetune.contract import POOLED_OUTPUT, ModuleContext, Reader
from hubcore.finetune.readers.matching import NEGATIVE
from hubcore.finetune.tasks import metrics as metrics
from hubcore.finetune.tasks.basic import BasicTask, TaskModel


class PairwiseTextMatchingTask(BasicTask):
    """Score (query, text) pairs so positives outrank negatives by ``margin``; accuracy (main), F1."""

    main_metric = "acc"
    greater_is_better = True

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
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
