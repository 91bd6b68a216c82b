"""textgenrnn's network in torch: embedding, two LSTM-128 layers, attention-weighted skip, softmax.

    ids (B, 40) -> embedding (B, 40, 100) -> rnn_1 (B, 40, 128) -> rnn_2 (B, 40, 128)
    concat [embedding, rnn_1, rnn_2] (B, 40, 356) -> attention-weighted average (B, 356)
    -> output dense (B, 465) -> softmax

The attention is DeepMoji's ``AttentionWeightedAverage`` as textgenrnn ships it: one weight per
channel gives a score per time step; ``exp(score - max) / (sum + 1e-7)`` (Keras' epsilon, so not
quite a softmax) weights the steps, padding steps included (the embedding has no mask).  The
LSTMs use torch's gate order (i, f, g, o), which is Keras' (i, f, c, o); the converter has already
turned the CuDNN-trained weights into that layout.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

from hub_textgen.vocab import WINDOW

KERAS_EPSILON = 1e-7
EMBEDDING_DIM = 100
RNN_SIZE = 128
FEATURE_DIM = EMBEDDING_DIM + 2 * RNN_SIZE  # 356


class AttentionWeightedAverage(nn.Module):
    """A learned weighted average over time steps (``attention_W``: one weight per channel)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.empty(channels, 1).uniform_(-0.05, 0.05))

    def forward(self, sequence: torch.Tensor) -> torch.Tensor:
        scores = (sequence @ self.weight).squeeze(-1)  # (B, T)
        scores = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
        weights = scores / (scores.sum(dim=1, keepdim=True) + KERAS_EPSILON)
        return (sequence * weights.unsqueeze(-1)).sum(dim=1)


class TextgenEncoder(nn.Module):
    """Everything up to the attention vector: what fine-tuning tasks put a head on.

    ``forward(input_ids)`` returns ``pooled_output`` (B, 356), the attention-weighted average, and
    ``sequence_output`` (B, 40, 356), the concatenated per-step features it averages.
    ``attention_mask`` is accepted and ignored: the original attends over its padding too.
    """

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, EMBEDDING_DIM)
        self.rnn_1 = nn.LSTM(EMBEDDING_DIM, RNN_SIZE, batch_first=True)
        self.rnn_2 = nn.LSTM(RNN_SIZE, RNN_SIZE, batch_first=True)
        self.attention = AttentionWeightedAverage(FEATURE_DIM)

    def features(self, input_ids: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding(input_ids)
        first, _ = self.rnn_1(embedded)
        second, _ = self.rnn_2(first)
        return torch.cat([embedded, first, second], dim=-1)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        sequence = self.features(input_ids)
        return {"pooled_output": self.attention(sequence), "sequence_output": sequence}


class TextgenNetwork(nn.Module):
    """The whole language model: encoder plus the output layer; ``forward`` returns logits."""

    def __init__(self, vocab_size: int) -> None:
        super().__init__()
        self.encoder = TextgenEncoder(vocab_size)
        self.output = nn.Linear(FEATURE_DIM, vocab_size)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        if input_ids.shape[-1] != WINDOW:
            raise ValueError(f"textgenrnn windows are {WINDOW} tokens, got {input_ids.shape[-1]}")
        pooled = self.encoder.attention(self.encoder.features(input_ids))
        logits: torch.Tensor = self.output(pooled)
        return logits

    def probabilities(self, input_ids: torch.Tensor) -> torch.Tensor:
        """The next-token distribution the original's ``model.predict`` returns."""
        return torch.softmax(self(input_ids), dim=-1)


def load_network(path: str | Path, vocab_size: int) -> TextgenNetwork:
    """A network with weights from a converted ``.safetensors`` file (our names, torch layout)."""
    from safetensors.torch import load_file

    network = TextgenNetwork(vocab_size)
    network.load_state_dict(load_file(str(path)))
    network.eval()
    return network
