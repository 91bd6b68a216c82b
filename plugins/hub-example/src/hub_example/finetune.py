"""Fine-tuning example: its encoder and tokenizer, and a task, a reader and a strategy of its own.

``Module.context()`` hands the Fine-tune API a :class:`hubcore.ModuleContext`; the three
classes below show every override point a plugin usually needs.  plugin.py registers them
by name, which is how a saved model names them and ``hubcore.load_task`` finds them again.
torch is imported here, never in plugin.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore import (
    POOLED_OUTPUT,
    SEQUENCE_OUTPUT,
    BaseReader,
    BaseStrategy,
    BasicTask,
    InputExample,
    ModuleContext,
)

VOCAB_SIZE = 4096
DIM = 32


class CharTokenizer:
    """Characters to ids by code point: the ``hubcore.Tokenizer`` protocol (a real model ships its own)."""

    def __init__(self) -> None:
        self.pad_values = {"input_ids": 0}  # the id readers pad each feature with

    def _id(self, char: str) -> int:
        return 1 + ord(char) % (VOCAB_SIZE - 1)

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        """``input_ids`` of the characters of ``text_a`` then ``text_b``, at least one."""
        ids = [self._id(char) for char in text_a + (text_b or "")] or [self._id(" ")]
        return {"input_ids": ids[:max_seq_len]}

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        """One id per token (its first character), for sequence labelling."""
        ids = [self._id(token[:1] or " ") for token in tokens][:max_seq_len]
        return {"input_ids": ids}, list(range(len(ids)))


class CharEncoder(nn.Module):
    """Character embeddings (depth 0) under a projection (depth 1); the sentence vector is their mean."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(VOCAB_SIZE, DIM, padding_idx=0)
        self.proj = nn.Linear(DIM, DIM)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, **_: Any
    ) -> dict[str, torch.Tensor]:
        tokens = torch.tanh(self.proj(self.embed(input_ids)))
        mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
        pooled = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return {POOLED_OUTPUT: pooled, SEQUENCE_OUTPUT: tokens}


def build_context(*, trainable: bool, max_seq_len: int, module_kwargs: dict[str, Any]) -> ModuleContext:
    """What ``Module.context()`` returns: everything the Fine-tune API needs from a module."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)  # a real module loads pretrained weights here
        encoder = CharEncoder()
    encoder.requires_grad_(trainable)
    return ModuleContext(
        encoder=encoder,
        tokenizer=CharTokenizer(),
        sentence_dim=DIM,
        token_dim=DIM,
        max_seq_len=max_seq_len,
        # depth of each of the encoder's own parameters, for layer-wise strategies
        params_layer={"embed.weight": 0, "proj.weight": 1, "proj.bias": 1},
        # how load_task() rebuilds the encoder elsewhere: Module(name, **kwargs).context(**context_kwargs)
        extra={
            "module": {
                "name": "example",
                "kwargs": module_kwargs,
                "context_kwargs": {"trainable": trainable, "max_seq_len": max_seq_len},
            }
        },
    )


class LowercaseReader(BaseReader):
    """Text classification that lowercases each text first: a reader's override points."""

    def __init__(
        self,
        dataset: Any = None,
        tokenizer: Any = None,
        max_seq_len: int = 64,
        label_list: Sequence[str] | None = None,
        lowercase: bool = True,
    ) -> None:
        super().__init__(dataset, tokenizer, max_seq_len, label_list)
        self.lowercase = lowercase

    def options(self) -> dict[str, Any]:
        """Constructor options saved with the model, so that load_task() rebuilds this reader."""
        return {"lowercase": self.lowercase}

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        """One example's features, plus its label id when it has one."""
        text = example.text_a.lower() if self.lowercase else example.text_a
        encoded = self.require_tokenizer().encode(text, max_seq_len=self.max_seq_len)
        features = self.checked_features(encoded, example)
        if isinstance(example.label, str):
            features["labels"] = self.label_id(example, example.label)
        return features

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        """A batch's labels as one tensor."""
        return torch.tensor(labels, dtype=torch.long)


class CentroidClassifierTask(BasicTask):
    """One label per text from the pooled vector, scored by accuracy: a task's override points."""

    main_metric = "acc"
    greater_is_better = True

    def build_head(self) -> nn.Module:
        return nn.Linear(self.context.sentence_dim, len(self.label_list))

    def forward(self, model: nn.Module, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        features = model.encoder(**self.encoder_inputs(batch))
        logits = model.head(features[POOLED_OUTPUT])
        outputs = {"logits": logits}
        if "labels" in batch:
            outputs["loss"] = F.cross_entropy(logits, batch["labels"])
        return outputs

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        predictions: list[Any] = outputs["logits"].argmax(-1).tolist()
        return predictions

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        right = sum(p == g for p, g in zip(predictions, labels, strict=True))
        return {"acc": right / max(len(labels), 1)}

    def postprocess(self, prediction: Any) -> Any:
        return self.label_list[prediction]


class PlainSGDStrategy(BaseStrategy):
    """SGD at a constant rate, the encoder ``encoder_scale`` times slower: a strategy needs only build()."""

    def __init__(self, learning_rate: float = 0.5, encoder_scale: float = 0.2) -> None:
        self.learning_rate = learning_rate
        self.encoder_scale = encoder_scale

    def build(
        self, model: nn.Module, *, num_train_steps: int, params_layer: dict[str, int] | None = None
    ) -> tuple[torch.optim.Optimizer, None]:
        """``params_layer`` names the model's own encoder parameters (``encoder.*`` in a task model)."""
        encoder_names = set(params_layer or {})
        trainable = [(name, p) for name, p in model.named_parameters() if p.requires_grad]
        head = [p for name, p in trainable if name not in encoder_names]
        encoder = [p for name, p in trainable if name in encoder_names]
        groups = [{"params": head, "lr": self.learning_rate}]
        if encoder:
            groups.append({"params": encoder, "lr": self.learning_rate * self.encoder_scale})
        return torch.optim.SGD(groups, lr=self.learning_rate), None
