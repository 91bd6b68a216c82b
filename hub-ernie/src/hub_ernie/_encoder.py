"""The transformers model wrapped in the encoder contract of the Fine-tune API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from hub_ernie._checkpoint import CheckpointDir
from hub_ernie._pooling import Pooling
from hubcore import HubcoreError
from hubcore.finetune import POOLED_OUTPUT, SEQUENCE_OUTPUT


class TextEncoder(torch.nn.Module):
    """``forward(input_ids, attention_mask, token_type_ids)`` -> sentence and token vectors."""

    def __init__(self, model: Any, pooling: Pooling) -> None:
        super().__init__()
        self.model: Any = model  # a transformers ErnieModel or BertModel
        self.pooling = pooling

    @property
    def num_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    @property
    def hidden_size(self) -> int:
        return int(self.model.config.hidden_size)

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        out = self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
        tokens = out.last_hidden_state
        mode = self.pooling.mode
        if mode == "pooler":
            sentence = out.pooler_output
        elif mode == "cls":
            sentence = tokens[:, 0]
        elif mode == "mean":
            weights = attention_mask.unsqueeze(-1).to(tokens.dtype)
            sentence = (tokens * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
        else:  # max over real tokens only
            padded = attention_mask.unsqueeze(-1) == 0
            sentence = tokens.masked_fill(padded, torch.finfo(tokens.dtype).min).max(dim=1).values
        if self.pooling.normalize:
            sentence = torch.nn.functional.normalize(sentence, p=2.0, dim=1)
        return {POOLED_OUTPUT: sentence, SEQUENCE_OUTPUT: tokens}

    def params_layer(self) -> dict[str, int]:
        """Parameter name -> depth: embeddings 0, transformer layer i -> i + 1, pooler -> layers + 1."""
        top = self.num_layers + 1
        depths: dict[str, int] = {}
        for name, _ in self.named_parameters():
            inner = name.removeprefix("model.")
            if inner.startswith("embeddings."):
                depths[name] = 0
            elif inner.startswith("encoder.layer."):
                depths[name] = int(inner.split(".")[2]) + 1
            else:
                depths[name] = top
        return depths


def load_encoder(checkpoint: CheckpointDir, pooling: Pooling) -> TextEncoder:
    """Build the ERNIE or BERT model of a checked folder, in float32."""
    from transformers import BertModel, ErnieModel
    from transformers.utils import logging as hf_logging

    model_class: Any = {"ernie": ErnieModel, "bert": BertModel}[checkpoint.model_type]
    has_pooler = _has_pooler_weights(checkpoint.weights)
    if pooling.needs_pooler and not has_pooler:
        raise HubcoreError(
            f"{checkpoint.weights} holds no pooler weights, yet the checkpoint declares no other "
            "pooling (modules.json) to make sentence vectors with"
        )
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]  # a bar per load would drown the CLI's output
    try:
        model = model_class.from_pretrained(
            str(checkpoint.path), local_files_only=True, dtype=torch.float32, add_pooling_layer=has_pooler
        )
    except (OSError, ValueError, RuntimeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise HubcoreError(f"cannot load the weights in {checkpoint.path}: {first}") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()  # type: ignore[no-untyped-call]
    if not pooling.needs_pooler:
        model.pooler = None  # loaded only so its stored weights are expected; never trained or run
    return TextEncoder(model, pooling)


def _has_pooler_weights(weights: Path) -> bool:
    if weights.suffix != ".safetensors":
        return True  # the pickled checkpoints of the public repositories all carry one
    from safetensors import safe_open

    with safe_open(str(weights), framework="pt") as stored:
        return any(key.startswith("pooler.") or ".pooler." in key for key in stored.keys())  # noqa: SIM118
