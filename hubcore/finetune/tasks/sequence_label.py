"""SequenceLabelTask: one tag per token (named entities, word segmentation), optional CRF, chunk F1."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune.config import RunConfig
from hubcore.finetune.contract import ModuleContext, Reader
from hubcore.finetune.readers.text import SequenceLabelReader, sequence_tokens
from hubcore.finetune.tasks import metrics as metrics
from hubcore.finetune.tasks.basic import BasicTask, TaskModel
from hubcore.finetune.tasks.crf import LinearChainCRF
from hubcore.finetune.tasks.heads import TOKEN_MASK, TokenTagger, num_classes_of


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
        reader: Reader,
        config: RunConfig | None = None,
        *,
        num_classes: int | None = None,
        use_crf: bool = False,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        self.num_classes = num_classes_of(reader, num_classes, "SequenceLabelTask")
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

    reader: SequenceLabelReader
    non_feature_keys = ("labels", TOKEN_MASK)

    def encode_inputs(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        """The reader's encoding plus a mask of the positions that start an input token."""
        items: list[dict[str, Any]] = self.reader.encode_texts(data)
        tokenizer, length = self.reader.require_tokenizer(), self.reader.max_seq_len
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
