"""The contracts between the Fine-tune API's layers and the modules that plug into it.

A module offers ``context(trainable)`` returning a :class:`ModuleContext`; readers
turn examples into feature dicts with the context's tokenizer; tasks put a head on
``encoder`` outputs; strategies build the optimiser and steer training.  Everything
here is a structural type, so a plugin satisfies it without importing hubcore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import torch

# Keys of the dict an encoder's forward returns.
POOLED_OUTPUT = "pooled_output"  # (batch, sentence_dim): one vector per example
SEQUENCE_OUTPUT = "sequence_output"  # (batch, seq_len, token_dim): one vector per token


@runtime_checkable
class Tokenizer(Protocol):
    """Text to the integer features an encoder reads.

    Every returned dict maps a feature name (at least ``"input_ids"``) to a list of
    ints, all lists of one length, at most ``max_seq_len``.  Readers pad each
    feature with ``pad_values.get(name, 0)`` and add ``"attention_mask"``.
    """

    pad_values: dict[str, int]

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        """Features of one text or text pair, truncated to ``max_seq_len``."""
        ...

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        """Features of pre-split tokens (characters, for Chinese sequence labelling).

        The second value gives, for every feature position, the index of the input
        token it belongs to, or -1 for special tokens; a truncated tail is dropped.
        """
        ...


@dataclass
class ModuleContext:
    """What ``module.context(trainable=...)`` returns for fine-tuning.

    ``encoder(input_ids=..., attention_mask=..., **other_features)`` returns a dict
    with ``POOLED_OUTPUT`` and ``SEQUENCE_OUTPUT`` tensors (image encoders take
    ``pixel_values`` and may return ``POOLED_OUTPUT`` alone).  With
    ``trainable=False`` the encoder's parameters have ``requires_grad=False``.
    """

    encoder: torch.nn.Module
    tokenizer: Tokenizer | None
    sentence_dim: int
    token_dim: int
    max_seq_len: int = 128
    params_layer: dict[str, int] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def get_params_layer(self) -> dict[str, int]:
        """Encoder parameter name -> depth (0 = embeddings), for layer-wise strategies."""
        return dict(self.params_layer)
