"""DPCNN (Johnson and Zhang, 2017), one of PaddleHub's TextClassifierTask networks.

A region convolution, then residual blocks of two convolutions, halving the sequence
with a stride-2 max pool before each further block until one position is left.  The
blocks after the first share their weights, so any sequence length works with one set
of parameters.  Padding positions are zeroed first (PaddleHub's dpcnn too reads the
padded features).
"""

from __future__ import annotations

import torch
from torch import nn


class DPCNN(nn.Module):
    """(batch, steps, token_dim) token features -> (batch, channels)."""

    def __init__(self, token_dim: int, channels: int) -> None:
        super().__init__()
        self.region = nn.Conv1d(token_dim, channels, kernel_size=3, padding=1)
        self.first = nn.ModuleList(nn.Conv1d(channels, channels, 3, padding=1) for _ in range(2))
        self.repeated = nn.ModuleList(nn.Conv1d(channels, channels, 3, padding=1) for _ in range(2))
        self.pool = nn.MaxPool1d(kernel_size=3, stride=2, padding=1)

    @staticmethod
    def _block(x: torch.Tensor, convs: nn.ModuleList) -> torch.Tensor:
        out = x
        for conv in convs:
            out = conv(torch.relu(out))
        return x + out

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        x = (tokens * mask.unsqueeze(-1).to(tokens.dtype)).transpose(1, 2)
        x = self._block(self.region(x), self.first)
        while x.shape[2] > 1:
            x = self._block(self.pool(x), self.repeated)
        return x.squeeze(2)
