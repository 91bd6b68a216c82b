"""Heads that turn a clip's per-frame backbone features into class scores.

Each clip's feature maps first lose their mean over time, which removes what stays still (the
background) and keeps what changes; each frame's map is then reduced to a small spatial grid
(so where the moving thing is survives; global pooling would discard it), then one of:

``conv``  two temporal convolutions (kernel 3) and an average over time: order-aware, since each
          window sees frames t-1, t, t+1 in order;
``gru``   a GRU over the frames, its last state: order-aware;
``mean``  the per-frame vectors averaged over time (TSN's consensus): blind to order by
          construction, kept as the baseline that shows why order matters.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

TEMPORAL_MODELS = ("conv", "gru", "mean")


class FrameProjector(nn.Module):
    """(N, C, h, w) feature maps to (N, hidden) vectors that keep a coarse layout."""

    def __init__(self, channels: int, hidden: int, reduced: int = 16, grid: int = 3) -> None:
        super().__init__()
        self.reduce = nn.Conv2d(channels, reduced, 1)
        self.grid = grid
        self.linear = nn.Linear(reduced * grid * grid, hidden)

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        reduced = F.relu(self.reduce(feature_map))
        pooled = F.adaptive_avg_pool2d(reduced, self.grid).flatten(1)
        return F.relu(self.linear(pooled))


class TemporalHead(nn.Module):
    """Per-frame feature maps of ``batch x segments`` frames to one set of logits per clip."""

    def __init__(
        self, channels: int, num_classes: int, *, kind: str = "conv", hidden: int = 128, dropout: float = 0.1
    ) -> None:
        super().__init__()
        if kind not in TEMPORAL_MODELS:
            raise ValueError(f"temporal model {kind!r} is not one of {', '.join(TEMPORAL_MODELS)}")
        self.kind = kind
        self.frames = FrameProjector(channels, hidden)
        if kind == "conv":
            self.temporal: nn.Module = nn.Sequential(
                nn.Conv1d(hidden, hidden, 3, padding=1),
                nn.ReLU(),
                nn.Conv1d(hidden, hidden, 3, padding=1),
                nn.ReLU(),
            )
        elif kind == "gru":
            self.temporal = nn.GRU(hidden, hidden, batch_first=True)
        else:
            self.temporal = nn.Identity()
        self.dropout = nn.Dropout(dropout)
        self.classifier = nn.Linear(hidden, num_classes)

    def forward(self, feature_maps: torch.Tensor, segments: int) -> torch.Tensor:
        clips = feature_maps.view(-1, segments, *feature_maps.shape[1:])
        moving = (clips - clips.mean(dim=1, keepdim=True)).flatten(0, 1)
        per_frame = self.frames(moving)
        clips = per_frame.view(-1, segments, per_frame.shape[-1])  # (B, K, hidden)
        if self.kind == "conv":
            summary = self.temporal(clips.transpose(1, 2)).mean(dim=2)
        elif self.kind == "gru":
            _, last = self.temporal(clips)
            summary = last[-1]
        else:
            summary = clips.mean(dim=1)
        return self.classifier(self.dropout(summary))
