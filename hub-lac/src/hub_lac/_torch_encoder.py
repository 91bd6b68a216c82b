"""LAC's embedding and BiGRU layers as a torch module, for fine-tuning (``LAC.context``).

Only this module imports torch.  The recurrences are written out step by step with the
same formulas as the inference engine, so the features match it.
"""

from __future__ import annotations

import torch
from torch import nn

from hub_lac._network import load_weights
from hub_lac._vocab import Vocab, vocab
from hubcore.finetune import ModuleContext


class CharTokenizer:
    """Characters to LAC ids (after full-width to half-width), no special tokens."""

    def __init__(self, voc: Vocab) -> None:
        self.vocab = voc
        self.pad_values = {"input_ids": 0}

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        text = text_a if text_b is None else text_a + text_b
        return {"input_ids": [self.vocab.token_id(ch) for ch in text[:max_seq_len]]}

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        ids: list[int] = []
        owners: list[int] = []
        for index, token in enumerate(tokens):
            for ch in token:
                ids.append(self.vocab.token_id(ch))
                owners.append(index)
        return {"input_ids": ids[:max_seq_len]}, owners[:max_seq_len]


class _GRUDirection(nn.Module):
    def __init__(self, w: dict[str, torch.Tensor], prefix: str, reverse: bool) -> None:
        super().__init__()
        self.reverse = reverse
        for name in ("in_w", "in_b", "bias", "gate_w", "cand_w"):
            setattr(self, name, nn.Parameter(w[f"{prefix}.{name}"].clone()))

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.cand_w.shape[0]
        proj = x @ self.in_w + self.in_b + self.bias
        h = x.new_zeros(x.shape[0], hidden)
        outputs: list[torch.Tensor] = [h] * x.shape[1]
        steps = range(x.shape[1] - 1, -1, -1) if self.reverse else range(x.shape[1])
        for t in steps:
            xt = proj[:, t]
            gates = torch.sigmoid(xt[:, : 2 * hidden] + h @ self.gate_w)
            update, reset = gates[:, :hidden], gates[:, hidden:]
            cand = torch.tanh(xt[:, 2 * hidden :] + (reset * h) @ self.cand_w)
            new = h - update * h + update * cand
            # Padding sits at the end: the state stays zero there, so a backward pass
            # starts from each sentence's own last token, as in the engine.
            keep = mask[:, t : t + 1]
            h = torch.where(keep, new, h)
            outputs[t] = h * keep
        return torch.stack(outputs, dim=1)


class LacEncoder(nn.Module):
    """``forward(input_ids, attention_mask)`` -> pooled (batch, 2h) and sequence (batch, steps, 2h) features.

    The sequence output is the top BiGRU layer; the pooled output joins the forward
    direction's state at each sentence's last token with the backward one's at its first.
    """

    def __init__(self, model: str = "lac") -> None:
        super().__init__()
        w = {name: torch.from_numpy(t.copy()) for name, t in load_weights(model).items()}
        self.embedding = nn.Embedding.from_pretrained(w["embedding"], freeze=False)
        layers = sum(1 for name in w if name.endswith(".fwd.gate_w"))
        self.layers = nn.ModuleList(
            nn.ModuleDict(
                {"fwd": _GRUDirection(w, f"gru{k}.fwd", False), "bwd": _GRUDirection(w, f"gru{k}.bwd", True)}
            )
            for k in range(layers)
        )
        self.hidden = int(w["gru0.fwd.cand_w"].shape[0])

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None, **_: object
    ) -> dict[str, torch.Tensor]:
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        mask = attention_mask.bool()
        x = self.embedding(input_ids)
        for layer in self.layers:
            x = torch.cat([layer["fwd"](x, mask), layer["bwd"](x, mask)], dim=2)
        last = (mask.sum(dim=1) - 1).clamp(min=0)
        rows = torch.arange(x.shape[0], device=x.device)
        pooled = torch.cat([x[rows, last, : self.hidden], x[:, 0, self.hidden :]], dim=1)
        return {"pooled_output": pooled, "sequence_output": x}


def params_layer(encoder: LacEncoder) -> dict[str, int]:
    """Embedding at depth 0, BiGRU layer k at depth k + 1."""
    depth = {}
    for name, _ in encoder.named_parameters():
        depth[name] = 0 if name.startswith("embedding.") else int(name.split(".")[1]) + 1
    return depth


def build_context(model: str, trainable: bool, max_seq_len: int) -> ModuleContext:
    encoder = LacEncoder(model)
    for parameter in encoder.parameters():
        parameter.requires_grad_(trainable)
    width = 2 * encoder.hidden
    return ModuleContext(
        encoder=encoder,
        tokenizer=CharTokenizer(vocab("seg_word.dic" if model == "seg" else "word.dic")),
        sentence_dim=width,
        token_dim=width,
        max_seq_len=max_seq_len,
        params_layer=params_layer(encoder),
        extra={"model": model, "source": "Baidu LAC 2.1.2"},
    )
