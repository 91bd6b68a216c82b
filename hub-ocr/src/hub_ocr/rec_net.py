"""PP-OCRv4 mobile text recognition: PP-LCNetV3 (x0.95) backbone, SVTR neck, CTC linear head.

Input: a normalised BGR text line (N, 3, 48, W); output: per-column softmax over the CTC
alphabet (N, W / 8, 6625): blank, the 6,623 dictionary characters, and space.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual spelling

from hub_ocr.layers import BlockSpec, ConvBNAct, LCNetV3

REC_BLOCKS: list[BlockSpec] = [
    (3, 16, 32, 1, False),
    (3, 32, 64, 1, False),
    (3, 64, 64, 1, False),
    (3, 64, 128, (2, 1), False),
    (3, 128, 128, 1, False),
    (3, 128, 240, (1, 2), False),
    *[(5, 240, 240, 1, False)] * 4,
    (5, 240, 480, (2, 1), True),
    (5, 480, 480, 1, True),
    (5, 480, 480, (2, 1), False),
    (5, 480, 480, 1, False),
]
NUM_CLASSES = 6625


class Attention(nn.Module):
    """Global multi-head self-attention over the sequence of columns."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.heads = heads
        self.scale = (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, dim = x.shape
        qkv = self.qkv(x).reshape(batch, length, 3, self.heads, dim // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0] * self.scale, qkv[1], qkv[2]
        attn = torch.softmax(q @ k.transpose(-2, -1), dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(batch, length, dim))


class SVTRBlock(nn.Module):
    """Pre-norm transformer block with a swish MLP."""

    def __init__(self, dim: int, heads: int, hidden: int) -> None:
        super().__init__()
        self.norm1 = nn.LayerNorm(dim, eps=1e-5)
        self.attn = Attention(dim, heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-5)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.norm1(x))
        h = self.fc1(self.norm2(x))
        return x + self.fc2(h * torch.sigmoid(h))


class SVTRNeck(nn.Module):
    """Local convs down to 120 channels, two global blocks, back up, fused with the shortcut."""

    def __init__(self, channels: int = 480, dim: int = 120, depth: int = 2, heads: int = 8) -> None:
        super().__init__()
        self.conv1 = ConvBNAct(channels, channels // 8, (1, 3), padding=(0, 1), act="swish")
        self.conv2 = ConvBNAct(channels // 8, dim, 1, act="swish")
        self.blocks = nn.ModuleList(SVTRBlock(dim, heads, dim * 2) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.conv3 = ConvBNAct(dim, channels, 1, act="swish")
        self.conv4 = ConvBNAct(channels * 2, channels // 8, (1, 3), padding=(0, 1), act="swish")
        self.conv1x1 = ConvBNAct(channels // 8, dim, 1, act="swish")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        shortcut = x
        z = self.conv2(self.conv1(x))
        batch, channels, height, width = z.shape
        z = z.flatten(2).transpose(1, 2)
        for block in self.blocks:
            z = block(z)
        z = self.norm(z).reshape(batch, height, width, channels).permute(0, 3, 1, 2)
        z = self.conv3(z)
        return self.conv1x1(self.conv4(torch.cat([shortcut, z], dim=1)))


class TextRecognizer(nn.Module):
    """Backbone -> (3, 2) average pool to height 1 -> SVTR neck -> linear CTC head with softmax."""

    def __init__(self, num_classes: int = NUM_CLASSES) -> None:
        super().__init__()
        self.backbone = LCNetV3(16, REC_BLOCKS, (len(REC_BLOCKS) - 1,))
        self.neck = SVTRNeck()
        self.head = nn.Linear(120, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        (features,) = self.backbone(x)
        features = F.avg_pool2d(features, (3, 2), (3, 2))
        sequence = self.neck(features).squeeze(2).transpose(1, 2)
        return torch.softmax(self.head(sequence), dim=2)
