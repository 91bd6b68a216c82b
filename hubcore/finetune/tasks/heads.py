"""The networks the standard tasks put on an encoder: token networks (bow, cnn, bilstm, gru,
lstm, dpcnn), the classifier head and the token tagger, and the checks of their options."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import POOLED_OUTPUT, SEQUENCE_OUTPUT, Reader
from hubcore.finetune.tasks import metrics as metrics
from hubcore.finetune.tasks.crf import LinearChainCRF

TOKEN_NETWORKS = ("bow", "cnn", "bilstm", "gru", "lstm", "dpcnn")  # the last three as PaddleHub had
TOKEN_MASK = "token_start_mask"  # predict(): 1 where an input token begins


def num_classes_of(reader: Reader, given: int | None, what: str) -> int:
    if given is not None:
        return given
    labels = reader.label_list
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
            from hubcore.finetune.tasks.dpcnn import DPCNN

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


def checked_hidden_units(value: Sequence[int] | None, owner: str) -> list[int]:
    units = list(value or [])
    if any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in units):
        raise HubcoreError(f"{owner}: hidden_units must be a list of positive ints, not {value!r}")
    return units


class TokenTagger(nn.Module):
    """Per-token scores over the tags, with a CRF's transitions when asked."""

    def __init__(self, token_dim: int, num_tags: int, *, dropout: float, use_crf: bool) -> None:
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(token_dim, num_tags)
        self.crf = LinearChainCRF(num_tags) if use_crf else None

    def forward(self, features: dict[str, torch.Tensor], batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        return {"logits": self.linear(self.dropout(features[SEQUENCE_OUTPUT]))}
