"""The public contract between the Fine-tune API's layers and the plugins that plug into it.

A module offers ``context(trainable=...)`` returning a :class:`ModuleContext`; a
:class:`Reader` turns a data set's examples into feature dicts with the context's
:class:`Tokenizer` and collates them into batches; a task puts a head on the encoder's
outputs; a :class:`Strategy` builds the optimiser and steers training.  The protocols
are structural: a plugin satisfies them without subclassing anything here, and
``hubcore.BaseReader`` / ``hubcore.BaseStrategy`` are ready-made implementations.
This module imports nothing heavy, so a plugin may import it at registration.
"""

from __future__ import annotations

from collections.abc import Sequence
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

    def get_params_layer(self, prefix: str = "") -> dict[str, int]:
        """Parameter name -> depth (0 = embeddings), for layer-wise strategies.

        ``params_layer`` names the encoder's own parameters (``encoder.named_parameters()``);
        ``prefix`` gives the names the same parameters have inside a bigger model, so the
        trainer asks for ``prefix="encoder."`` to address them in the task model.
        """
        return {prefix + name: depth for name, depth in self.params_layer.items()}


@runtime_checkable
class Reader(Protocol):
    """What a task and the trainer need from a reader (``hubcore.BaseReader`` implements it).

    ``encoded(phase)`` encodes a data-set split once and keeps it; ``collate`` pads a
    list of encoded examples into a batch of tensors; ``to_config``/``from_config``
    save a reader without its data so that ``load_task`` can rebuild it.
    """

    @property
    def label_list(self) -> list[str]:
        """Label names; a label's id is its index (empty for tasks without labels)."""
        ...

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The encoded examples of ``phase`` (``train``, ``dev`` or ``test``), computed once."""
        ...

    def encode_texts(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        """Unlabelled prediction inputs, encoded."""
        ...

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        """One padded batch of tensors."""
        ...

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready description for ``from_config``."""
        ...

    @classmethod
    def from_config(cls, config: dict[str, Any], tokenizer: Tokenizer | None = None) -> Reader:
        """Rebuild a saved reader without its data set."""
        ...


@runtime_checkable
class Strategy(Protocol):
    """How training optimises: the trainer calls these, in this order, every step.

    ``build`` once (with ``params_layer`` naming the model's own parameters), then per
    step ``penalty`` (added to the loss), ``before_optimizer_step`` (after backward:
    clipping), ``on_step_end`` (unfreezing); ``state_dict``/``load_state_dict`` hold
    what a checkpoint must keep (tensors and plain values only).
    """

    def build(
        self, model: torch.nn.Module, *, num_train_steps: int, params_layer: dict[str, int] | None = None
    ) -> tuple[torch.optim.Optimizer, torch.optim.lr_scheduler.LRScheduler | None]:
        """The optimiser over ``model``'s trainable parameters and its per-step scheduler."""
        ...

    def penalty(self, model: torch.nn.Module) -> torch.Tensor | None:
        """An extra loss term, or None."""
        ...

    def before_optimizer_step(self, model: torch.nn.Module) -> None:
        """After ``backward``, before ``optimizer.step``."""
        ...

    def on_step_end(self, step: int, model: torch.nn.Module) -> None:
        """After optimiser step number ``step``."""
        ...

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint keeps besides the optimiser and scheduler."""
        ...

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`'s output after :meth:`build`."""
        ...
