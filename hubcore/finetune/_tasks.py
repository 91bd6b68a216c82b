"""The standard tasks: text classification, sequence labelling, multi-label, image and regression.

Each is a BasicTask subclass that overrides only the documented points: its head,
loss, per-example predictions, metrics and main metric.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune import _metrics as metrics
from hubcore.finetune._config import RunConfig
from hubcore.finetune._crf import LinearChainCRF
from hubcore.finetune._interfaces import POOLED_OUTPUT, SEQUENCE_OUTPUT, ModuleContext
from hubcore.finetune._readers import sequence_tokens
from hubcore.finetune._task import BasicTask, TaskModel

TOKEN_NETWORKS = ("bow", "cnn", "bilstm", "gru", "lstm", "dpcnn")  # the last three as PaddleHub had
TOKEN_MASK = "token_start_mask"  # predict(): 1 where an input token begins


def _num_classes(reader: Any, given: int | None, what: str) -> int:
    if given is not None:
        return given
    labels = getattr(reader, "label_list", None)
    if not labels:
        raise HubcoreError(f"{what}: num_classes is not given and the reader has no label_list")
    return len(labels)


def _masked_mean(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    weights = mask.unsqueeze(-1).to(tokens.dtype)
    return (tokens * weights).sum(1) / weights.sum(1).clamp(min=1.0)


def _masked_max(tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    filled = tokens.masked_fill(~mask.bool().unsqueeze(-1), torch.finfo(tokens.dtype).min)
    return filled.max(dim=1).values


class TokenNetwork(nn.Module):
    """A small network that turns token features (B, T, H) into one vector per example."""

    def __init__(self, kind: str, token_dim: int, hidden: int) -> None:
        super().__init__()
        if kind not in TOKEN_NETWORKS:
            raise HubcoreError(f"network {kind!r} is not one of {', '.join(TOKEN_NETWORKS)}")
        self.kind = kind
        self.out_dim = hidden if kind != "bilstm" else 2 * hidden
        if kind == "bow":
            self.layer: nn.Module = nn.Linear(token_dim, hidden)
        elif kind == "cnn":
            self.layer = nn.Conv1d(token_dim, hidden, kernel_size=3, padding=1)
        elif kind == "dpcnn":
            from hubcore.finetune._dpcnn import DPCNN

            self.layer = DPCNN(token_dim, hidden)
        elif kind == "gru":
            self.layer = nn.GRU(token_dim, hidden, batch_first=True)
        else:  # bilstm, lstm
            self.layer = nn.LSTM(token_dim, hidden, batch_first=True, bidirectional=kind == "bilstm")

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if self.kind == "bow":
            return torch.tanh(self.layer(_masked_mean(tokens, mask)))
        if self.kind == "cnn":
            conv = torch.relu(self.layer(tokens.transpose(1, 2))).transpose(1, 2)
            return _masked_max(conv, mask)
        if self.kind == "dpcnn":
            summary: torch.Tensor = self.layer(tokens, mask)
            return summary
        lengths = mask.sum(1).clamp(min=1).cpu()
        packed = nn.utils.rnn.pack_padded_sequence(tokens, lengths, batch_first=True, enforce_sorted=False)
        out, _ = self.layer(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=tokens.shape[1])
        return _masked_max(out, mask)


class ClassifierHead(nn.Module):
    """Dropout and a linear layer on the pooled feature, or on a token network's output.

    ``hidden_units`` (PaddleHub's option) puts fully connected ReLU layers of those
    widths between the dropout and the output layer.
    """

    def __init__(
        self,
        in_dim: int,
        num_outputs: int,
        *,
        dropout: float,
        network: TokenNetwork | None = None,
        hidden_units: Sequence[int] = (),
    ) -> None:
        super().__init__()
        self.network = network
        self.dropout = nn.Dropout(dropout)
        width = network.out_dim if network is not None else in_dim
        hidden: list[nn.Module] = []
        for units in hidden_units:
            hidden += [nn.Linear(width, units), nn.ReLU()]
            width = units
        self.hidden = nn.Sequential(*hidden)
        self.linear = nn.Linear(width, num_outputs)

    def forward(self, features: dict[str, torch.Tensor], batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        if self.network is None:
            vector = features[POOLED_OUTPUT]
        else:
            vector = self.network(features[SEQUENCE_OUTPUT], batch["attention_mask"])
        return {"logits": self.linear(self.hidden(self.dropout(vector)))}


def _hidden_units(value: Sequence[int] | None, owner: str) -> list[int]:
    units = list(value or [])
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in units):
        raise HubcoreError(f"{owner}: hidden_units must be a list of positive ints, not {value!r}")
    return units


class _PooledTask(BasicTask):
    """Tasks with one output vector per example.

    The head reads the encoder's sentence feature, or with ``network`` set, a small
    token network's summary of the token features; a linear layer gives the outputs.
    """

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
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
        self.hidden_units = _hidden_units(hidden_units, type(self).__name__)
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
        reader: Any,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        network: str | None = None,
        hidden_size: int = 128,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
        hidden_units: Sequence[int] | None = None,
    ) -> None:
        self.num_classes = _num_classes(reader, num_classes, type(self).__name__)
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
        model = self.model.to(self.device)
        was_training = model.training
        model.eval()
        probabilities: list[list[float]] = []
        try:
            features = self.encode_inputs(data)
            size = batch_size or self.config.eval_batch_size or self.config.batch_size
            for batch in self._batches(features, size):
                probabilities.extend(torch.softmax(model(batch)["logits"], -1).tolist())
        finally:
            model.train(was_training)
        return probabilities


class ImageClassifierTask(TextClassifierTask):
    """Image classification on an image encoder's pooled feature: accuracy (main) and F1."""

    non_feature_keys = ("labels", "attention_mask")

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
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
        reader: Any,
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


class TokenTagger(nn.Module):
    """Per-token scores over the tags, with a CRF's transitions when asked."""

    def __init__(self, token_dim: int, num_tags: int, *, dropout: float, use_crf: bool) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(token_dim, num_tags)
        self.crf = LinearChainCRF(num_tags) if use_crf else None

    def forward(self, features: dict[str, torch.Tensor], batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        return {"logits": self.linear(self.dropout(features[SEQUENCE_OUTPUT]))}


class SequenceLabelTask(BasicTask):
    """A tag per token (named entities, word segmentation): chunk F1 (main), precision and recall.

    Tags follow BIO, BIOES or BMES, with or without ``-TYPE`` suffixes; ``use_crf``
    adds a linear-chain CRF trained by likelihood and decoded by Viterbi.  Labels
    of -100 (special tokens, later pieces of a split token, padding) are left out of the
    loss, the CRF's chain and the metrics.
    """

    main_metric = "f1"
    greater_is_better = True

    def __init__(
        self,
        context: ModuleContext,
        reader: Any,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        use_crf: bool = False,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        self.num_classes = _num_classes(reader, num_classes, "SequenceLabelTask")
        self.use_crf, self.dropout = use_crf, dropout
        self.hparams = {"num_classes": self.num_classes, "use_crf": use_crf, "dropout": dropout}

    def build_head(self) -> nn.Module:
        return TokenTagger(
            self.context.token_dim, self.num_classes, dropout=self.dropout, use_crf=self.use_crf
        )

    def _crf(self, model: TaskModel | None = None) -> LinearChainCRF | None:
        crf = getattr((model or self.model).head, "crf", None)
        return crf if isinstance(crf, LinearChainCRF) else None

    def forward(self, model: TaskModel, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        outputs = super().forward(model, batch)
        crf = self._crf(model)
        if crf is not None and "labels" in batch:
            # The CRF's likelihood is computed here so that DDP sees its parameters used.  It runs
            # over the tagged positions only, packed to the left (no special tokens, no later pieces).
            emissions, mask, index = _pack(outputs["logits"], self._positions(batch))
            tags = batch["labels"].gather(1, index).masked_fill(~mask, 0)
            nll = crf.neg_log_likelihood(emissions, tags, mask, reduction="none")
            present = mask[:, 0]
            outputs["loss"] = (nll * present).sum() / present.sum().clamp(min=1)
        return outputs

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        if "loss" in outputs:
            return outputs["loss"]
        logits = outputs["logits"]
        return F.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), batch["labels"].reshape(-1), ignore_index=-100
        )

    non_feature_keys = ("labels", TOKEN_MASK)

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        """The reader's encoding plus a mask of the positions that start an input token."""
        items: list[dict[str, Any]] = self.reader.encode_texts(data)
        tokenizer, length = self.reader.tokenizer, self.reader.max_seq_len
        for index, (item, text) in enumerate(zip(items, data, strict=True)):
            tokens = sequence_tokens(index, text)  # the shape encode_texts() accepted
            _, positions = tokenizer.encode_tokens(tokens, max_seq_len=length)
            seen: set[int] = set()
            mask = []
            for token in positions:
                mask.append(int(token >= 0 and token not in seen))
                seen.add(token)
            item[TOKEN_MASK] = mask
        return items

    def _positions(self, batch: dict[str, Any]) -> torch.Tensor:
        """Positions that carry a tag: labelled ones, else the first piece of each input token."""
        if "labels" in batch:
            key, keep = "labels", batch["labels"] != -100
        else:
            key = TOKEN_MASK if TOKEN_MASK in batch else "attention_mask"
            keep = batch[key].bool()
        assert isinstance(keep, torch.Tensor), key
        return keep

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        logits, keep = outputs["logits"], self._positions(batch)
        crf = self._crf()
        if crf is not None:
            emissions, mask, _ = _pack(logits, keep)
            lengths = mask.sum(1).tolist()
            return [path if n else [] for path, n in zip(crf.decode(emissions, mask), lengths, strict=True)]
        full, keep = logits.argmax(-1).cpu(), keep.cpu()
        return [full[row][keep[row]].tolist() for row in range(full.shape[0])]

    def batch_labels(self, batch: dict[str, Any]) -> list[Any]:
        labels = batch["labels"].cpu()
        keep = labels != -100
        return [labels[row][keep[row]].tolist() for row in range(labels.shape[0])]

    def _tags(self, ids: list[int]) -> list[str]:
        if not self.label_list:
            raise HubcoreError("SequenceLabelTask needs the reader's label_list to read tag names")
        return [self.label_list[i] for i in ids]

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        return metrics.chunk_f1([self._tags(p) for p in predictions], [self._tags(g) for g in labels])

    def postprocess(self, prediction: Any) -> Any:
        return self._tags(prediction) if self.label_list else prediction


def _pack(logits: torch.Tensor, keep: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The kept positions of each row moved to the left, in order: (emissions, mask, index)."""
    lengths = keep.sum(1)
    width = max(int(lengths.max()) if lengths.numel() else 0, 1)
    order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)[:, :width]
    emissions = logits.gather(1, order.unsqueeze(-1).expand(-1, -1, logits.shape[-1]))
    mask = torch.arange(width, device=logits.device).unsqueeze(0) < lengths.unsqueeze(1)
    return emissions, mask, order
