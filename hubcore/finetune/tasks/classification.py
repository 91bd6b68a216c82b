"""The pooled-output tasks: text and image classification, multi-label classification and regression.

Each is a BasicTask subclass that overrides only the documented points: its head, loss,
per-example predictions, metrics and main metric."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune.config import RunConfig
from hubcore.finetune.contract import ModuleContext, Reader
from hubcore.finetune.tasks import metrics as metrics
from hubcore.finetune.tasks.basic import BasicTask
from hubcore.finetune.tasks.heads import (
    TOKEN_NETWORKS,
    ClassifierHead,
    TokenNetwork,
    checked_hidden_units,
    num_classes_of,
)


class _PooledTask(BasicTask):
    """Tasks with one output vector per example.

    The head reads the encoder's sentence feature, or with ``network`` set, a small
    token network's summary of the token features; a linear layer gives the outputs.
    """

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        num_outputs: int,
        network: str | None = None,
        hidden_size: int = 128,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
        hidden_units: Sequence[int] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        if network is not None and network not in TOKEN_NETWORKS:
            choices = ", ".join(TOKEN_NETWORKS)
            raise HubcoreError(f"{type(self).__name__}: network {network!r} is not one of {choices}")
        self.num_outputs = num_outputs
        self.network, self.hidden_size, self.dropout = network, hidden_size, dropout
        self.hidden_units = checked_hidden_units(hidden_units, type(self).__name__)
        self.hparams = {"network": network, "hidden_size": hidden_size, "dropout": dropout}
        if self.hidden_units:  # saved only when used, so older saved models read the same
            self.hparams["hidden_units"] = list(self.hidden_units)

    def build_head(self) -> nn.Module:
        units = self.hidden_units
        if self.network is None:
            return ClassifierHead(
                self.context.sentence_dim, self.num_outputs, dropout=self.dropout, hidden_units=units
            )
        tokens = TokenNetwork(self.network, self.context.token_dim, self.hidden_size)
        return ClassifierHead(
            self.context.token_dim, self.num_outputs, dropout=self.dropout, network=tokens, hidden_units=units
        )


class _ClassesTask(_PooledTask):
    """A pooled task with one output per class, sized from the reader's label list by default."""

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        network: str | None = None,
        hidden_size: int = 128,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
        hidden_units: Sequence[int] | None = None,
    ) -> None:
        self.num_classes = num_classes_of(reader, num_classes, type(self).__name__)
        super().__init__(
            context,
            reader,
            config,
            num_outputs=self.num_classes,
            network=network,
            hidden_size=hidden_size,
            dropout=dropout,
            module=module,
            hidden_units=hidden_units,
        )
        self.hparams["num_classes"] = self.num_classes


class TextClassifierTask(_ClassesTask):
    """Single-label text classification: accuracy (main) and F1.

    ``network=None`` classifies the encoder's sentence feature; ``"bow"``, ``"cnn"``,
    ``"bilstm"``, ``"gru"``, ``"lstm"`` or ``"dpcnn"`` put that small network on the
    token features first.
    """

    main_metric = "acc"
    greater_is_better = True

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        return F.cross_entropy(outputs["logits"], batch["labels"])

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        return outputs["logits"].argmax(-1).tolist()

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        average = "binary" if self.num_classes == 2 else "macro"
        scores = metrics.precision_recall_f1(
            predictions, labels, num_classes=self.num_classes, average=average
        )
        return {"acc": metrics.accuracy(predictions, labels), **scores}

    def postprocess(self, prediction: Any) -> Any:
        return self.label_list[prediction] if self.label_list else prediction

    @torch.no_grad()
    def predict_proba(self, data: Sequence[Any], *, batch_size: int | None = None) -> list[list[float]]:
        """Class probabilities per input, in label_list order."""
        probabilities: list[list[float]] = []
        for outputs, _ in self.inference_batches(self.encode_inputs(data), batch_size):
            probabilities.extend(torch.softmax(outputs["logits"], -1).tolist())
        return probabilities


class ImageClassifierTask(TextClassifierTask):
    """Image classification on an image encoder's pooled feature: accuracy (main) and F1."""

    non_feature_keys = ("labels", "attention_mask")

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, num_classes=num_classes, dropout=dropout, module=module)
        self.hparams = {"num_classes": self.num_classes, "dropout": dropout}

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        encode = getattr(self.reader, "encode_images", None)
        encoded: list[dict[str, Any]] = encode(data) if callable(encode) else self.reader.encode_texts(data)
        return encoded


class MultiLabelClassifierTask(_ClassesTask):
    """Several independent yes/no labels per example: mean ROC AUC (main), micro F1 at 0.5."""

    main_metric = "auc"
    greater_is_better = True

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(outputs["logits"], batch["labels"].float())

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        return torch.sigmoid(outputs["logits"]).tolist()

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        scores, gold = np.asarray(predictions, dtype=float), np.asarray(labels, dtype=int)
        flat = metrics.precision_recall_f1(
            (scores >= 0.5).astype(int).ravel().tolist(),
            gold.ravel().tolist(),
            num_classes=2,
            average="binary",
        )
        return {"auc": metrics.mean_auc(scores, gold), "f1": flat["f1"]}

    def postprocess(self, prediction: Any) -> Any:
        """The names (or indices) of the labels with probability at least 0.5."""
        chosen = [i for i, p in enumerate(prediction) if p >= 0.5]
        return [self.label_list[i] for i in chosen] if self.label_list else chosen


class RegressionTask(_PooledTask):
    """One real value per example: Pearson's r (main), Spearman's rho and MSE."""

    main_metric = "pearson"
    greater_is_better = True

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        network: str | None = None,
        hidden_size: int = 128,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
        hidden_units: Sequence[int] | None = None,
    ) -> None:
        super().__init__(
            context,
            reader,
            config,
            num_outputs=1,
            network=network,
            hidden_size=hidden_size,
            dropout=dropout,
            module=module,
            hidden_units=hidden_units,
        )

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        return F.mse_loss(outputs["logits"].squeeze(-1), batch["labels"].float())

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        return outputs["logits"].squeeze(-1).tolist()

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        return {
            "pearson": metrics.pearson(predictions, labels),
            "spearman": metrics.spearman(predictions, labels),
            "mse": metrics.mse(predictions, labels),
        }
