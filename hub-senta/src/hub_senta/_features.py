"""Sentence features from LAC's pretrained encoder, run by hub-lac's own inference engine.

LAC 2.1.2's network reads word-and-character ids (LAC's own small segmenter picks
the words its vocabulary knows), embeds them and runs two bidirectional GRU layers.
sentiment_zh keeps that encoder frozen and pools it into one vector per text: the
mean and the maximum over positions of the top BiGRU layer (2 x 256) and of the
embeddings (2 x 128).  hub-lac's C kernel (NumPy when no compiler was available)
computes the BiGRU, which is what makes the module fast on a CPU.

This reaches into hub-lac's internals (``_lexer._tokens``, ``_network.tagger``,
pinned by the ``hub-lac`` version range): they are the exact pipeline of
``LAC.lexical_analysis``, and hub-lac's tests hold them to Baidu's outputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_CHARS = 256  # reviews are cut to their first 256 characters (p99 of the corpus is ~600)
FEATURE_DIM = 2 * 256 + 2 * 128


def lac_embedding() -> np.ndarray:
    """LAC's pretrained (vocabulary, 128) embedding table."""
    from hub_lac._network import tagger

    return tagger("lac").w["embedding"]  # type: ignore[no-any-return]


def lac_token_ids(text: str) -> list[int]:
    """LAC's word-and-character ids of the text's first MAX_CHARS characters."""
    from hub_lac._lexer import _tokens

    return _tokens(text[:MAX_CHARS])[0] or [0]


def lac_features(
    texts: list[str], batch_size: int = 64, device: str = "cpu"
) -> tuple[np.ndarray, list[list[int]]]:
    """(len(texts), FEATURE_DIM) float32 pooled encoder features, and each text's LAC ids.

    On ``"cpu"`` hub-lac's inference engine computes the encoder; on ``"cuda"`` its torch copy
    of the same layers (``LacEncoder``, the one fine-tuning uses) does.
    """
    from hub_lac._network import tagger

    network = tagger("lac")
    embedding = network.w["embedding"]
    out = np.empty((len(texts), FEATURE_DIM), dtype=np.float32)
    all_ids: list[list[int]] = []
    for start in range(0, len(texts), batch_size):
        sequences = [lac_token_ids(text) for text in texts[start : start + batch_size]]
        tops = network.top_features(sequences) if device == "cpu" else _torch_top(sequences, device)
        for row, (ids, top) in enumerate(zip(sequences, tops, strict=True)):
            vectors = embedding[ids]
            out[start + row] = np.concatenate([top.mean(0), top.max(0), vectors.mean(0), vectors.max(0)])
        all_ids.extend(sequences)
    return out, all_ids


def _torch_top(sequences: list[list[int]], device: str) -> list[np.ndarray]:
    """The top BiGRU layer per sequence from hub-lac's torch encoder on ``device``."""
    import torch

    encoder = _torch_encoder(device)
    longest = max(len(ids) for ids in sequences)
    ids = torch.zeros((len(sequences), longest), dtype=torch.long)
    mask = torch.zeros_like(ids)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = torch.tensor(seq)
        mask[row, : len(seq)] = 1
    with torch.inference_mode():
        top = encoder(ids.to(device), mask.to(device))["sequence_output"].float().cpu().numpy()
    return [top[row, : len(seq)] for row, seq in enumerate(sequences)]


_ENCODERS: dict[str, Any] = {}


def _torch_encoder(device: str) -> Any:
    if device not in _ENCODERS:
        from hub_lac._torch_encoder import LacEncoder

        _ENCODERS[device] = LacEncoder("lac").to(device).eval()
    return _ENCODERS[device]
