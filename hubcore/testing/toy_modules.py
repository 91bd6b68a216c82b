"""Tiny modules that satisfy the ModuleContext contract without pretrained weights.

They let the training loop be tested, benchmarked and reloaded in a new process
(``load_task`` rebuilds them from their ``"entry"`` record) in seconds on a CPU.
They are not models anyone should fine-tune for real.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from hubcore.finetune.contract import POOLED_OUTPUT, SEQUENCE_OUTPUT, ModuleContext


class HashCharTokenizer:
    """Characters to ids by code point modulo the vocabulary (id 0 is padding)."""

    def __init__(self, vocab_size: int) -> None:
        self.vocab_size = vocab_size
        self.pad_values = {"input_ids": 0}

    def _ids(self, chars: list[str]) -> list[int]:
        return [1 + ord(c) % (self.vocab_size - 1) for c in chars]

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        """``input_ids`` of the characters of ``text_a`` then ``text_b``."""
        return {"input_ids": self._ids(list(text_a) + list(text_b or ""))[:max_seq_len]}

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        """One id per token (its first character), no special tokens."""
        kept = tokens[:max_seq_len]
        return {"input_ids": self._ids([t[:1] or " " for t in kept])}, list(range(len(kept)))


class ToyTextEncoder(nn.Module):
    """Embedding, dropout and a bidirectional GRU; pooled = masked mean of the GRU states."""

    def __init__(self, vocab_size: int, dim: int, hidden: int, dropout: float) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.dropout = nn.Dropout(dropout)
        self.gru = nn.GRU(dim, hidden, batch_first=True, bidirectional=True)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: Any
    ) -> dict[str, torch.Tensor]:
        if attention_mask is None:
            attention_mask = (input_ids != 0).long()
        states, _ = self.gru(self.dropout(self.embedding(input_ids)))
        weights = attention_mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return {POOLED_OUTPUT: pooled, SEQUENCE_OUTPUT: states}


class ToyTextModule:
    """A text "module" whose context() is a tiny, randomly initialised encoder."""

    def __init__(
        self, vocab_size: int = 257, dim: int = 16, hidden: int = 16, dropout: float = 0.1, seed: int = 0
    ):
        self.kwargs: dict[str, Any] = {
            "vocab_size": vocab_size,
            "dim": dim,
            "hidden": hidden,
            "dropout": dropout,
            "seed": seed,
        }

    def context(self, trainable: bool = True, max_seq_len: int = 64) -> ModuleContext:
        """A fresh encoder (same weights for the same seed), frozen unless ``trainable``."""
        kw = self.kwargs
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(kw["seed"])
            encoder = ToyTextEncoder(kw["vocab_size"], kw["dim"], kw["hidden"], kw["dropout"])
        encoder.requires_grad_(trainable)
        layers = {name: (0 if name.startswith("embedding") else 1) for name, _ in encoder.named_parameters()}
        return ModuleContext(
            encoder=encoder,
            tokenizer=HashCharTokenizer(kw["vocab_size"]),
            sentence_dim=2 * kw["hidden"],
            token_dim=2 * kw["hidden"],
            max_seq_len=max_seq_len,
            params_layer=layers,
            extra={
                "module": {
                    "entry": f"{__name__}:ToyTextModule",
                    "kwargs": dict(kw),
                    "context_kwargs": {"trainable": trainable, "max_seq_len": max_seq_len},
                }
            },
        )


class ToyImageEncoder(nn.Module):
    """Two strided convolutions and global average pooling over ``pixel_values`` (B, 3, H, W)."""

    def __init__(self, width: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 3, stride=2, padding=1)
        self.conv2 = nn.Conv2d(width, width, 3, stride=2, padding=1)

    def forward(self, pixel_values: torch.Tensor, **_: Any) -> dict[str, torch.Tensor]:
        hidden = torch.relu(self.conv2(torch.relu(self.conv1(pixel_values))))
        return {POOLED_OUTPUT: hidden.mean(dim=(2, 3))}


class ToyImageModule:
    """An image "module" whose context() is a tiny, randomly initialised CNN."""

    def __init__(self, width: int = 8, seed: int = 0) -> None:
        self.kwargs: dict[str, Any] = {"width": width, "seed": seed}

    def context(self, trainable: bool = True) -> ModuleContext:
        """A fresh CNN (same weights for the same seed), frozen unless ``trainable``."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(self.kwargs["seed"])
            encoder = ToyImageEncoder(self.kwargs["width"])
        encoder.requires_grad_(trainable)
        return ModuleContext(
            encoder=encoder,
            tokenizer=None,
            sentence_dim=self.kwargs["width"],
            token_dim=self.kwargs["width"],
            extra={
                "module": {
                    "entry": f"{__name__}:ToyImageModule",
                    "kwargs": dict(self.kwargs),
                    "context_kwargs": {"trainable": trainable},
                }
            },
        )
