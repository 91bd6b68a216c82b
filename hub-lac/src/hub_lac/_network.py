"""LAC's networks on NumPy: a stacked BiGRU-CRF tagger and the BiLSTM word-rank model.

Matrix products over all positions go through BLAS; the recurrences and Viterbi run in
``_kernels``.  Weights come from the shipped safetensors files, loaded without torch.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from hub_lac import _kernels
from hub_lac._vocab import DATA


@lru_cache(maxsize=None)
def load_weights(model: str) -> dict[str, np.ndarray]:
    """The float32 tensors of ``lac``, ``seg`` or ``rank``, as converted from Baidu's files."""
    from safetensors.numpy import load_file

    return {name: np.ascontiguousarray(t, dtype=np.float32) for name, t in load_file(DATA / f"{model}.safetensors").items()}


def pad_ids(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A (batch, longest) id matrix padded with 0, and the lengths."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int32)
    ids = np.zeros((len(sequences), int(lengths.max(initial=0))), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, lengths


def _project(x: np.ndarray, weight: np.ndarray, *biases: np.ndarray) -> np.ndarray:
    # One 2-D product over every position: BLAS is fastest on a single tall matrix.
    out = (x.reshape(-1, x.shape[-1]) @ weight).reshape(*x.shape[:-1], weight.shape[1])
    for bias in biases:  # added one after the other, as the original graph does
        out += bias
    return out


class Tagger:
    """Embedding -> BiGRU layers -> emission scores -> Viterbi over the CRF's transitions."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self.layers = sum(1 for name in weights if name.endswith(".fwd.gate_w"))
        self.hidden = weights["gru0.fwd.cand_w"].shape[0]
        self._c = _kernels.CTagger(weights) if _kernels.BACKEND == "c" else None

    def tag(self, sequences: list[list[int]], use_c: bool | None = None) -> list[np.ndarray]:
        """Tag-id paths, one per id sequence (no sequence may be empty)."""
        if self._c is not None and use_c is not False:
            return self._c.run(sequences)[0]
        ids, lengths = pad_ids(sequences)
        paths = self.decode(ids, lengths, use_c=False)
        return [paths[row, :n] for row, n in enumerate(lengths.tolist())]

    def features(self, ids: np.ndarray, lengths: np.ndarray, use_c: bool | None = None) -> list[np.ndarray]:
        """Outputs of the embedding and of every BiGRU layer, each (batch, steps, dim)."""
        w = self.w
        x = w["embedding"][ids]
        outputs = [x]
        for layer in range(self.layers):
            halves = []
            for direction in ("fwd", "bwd"):
                p = f"gru{layer}.{direction}"
                proj = _project(x, w[f"{p}.in_w"], w[f"{p}.in_b"], w[f"{p}.bias"])
                halves.append(_kernels.gru(proj, lengths, w[f"{p}.gate_w"], w[f"{p}.cand_w"],
                                           direction == "bwd", use_c))
            x = np.concatenate(halves, axis=2)
            outputs.append(x)
        return outputs

    def emissions(self, ids: np.ndarray, lengths: np.ndarray, use_c: bool | None = None) -> np.ndarray:
        top = self.features(ids, lengths, use_c)[-1]
        return np.ascontiguousarray(_project(top, self.w["emission.w"], self.w["emission.b"]))

    def decode(self, ids: np.ndarray, lengths: np.ndarray, use_c: bool | None = None) -> np.ndarray:
        w = self.w
        return _kernels.viterbi(self.emissions(ids, lengths, use_c), lengths, w["crf.start"], w["crf.end"],
                                w["crf.trans"], use_c)


class Ranker:
    """Token and tag embeddings -> BiLSTM -> relu layer -> one of four importance levels per token."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self._c = _kernels.CRanker(weights) if _kernels.BACKEND == "c" else None

    def rank(self, sequences: list[list[int]], tags: list[list[int]], use_c: bool | None = None) -> list[np.ndarray]:
        """Rank per token, one array per id sequence, given the tagger's tag ids."""
        if self._c is not None and use_c is not False:
            return self._c.run(sequences, tags)
        ids, lengths = pad_ids(sequences)
        tag_ids, _ = pad_ids(tags)
        ranks = self.decode(ids, tag_ids, lengths, use_c=False)
        return [ranks[row, :n] for row, n in enumerate(lengths.tolist())]

    def decode(self, ids: np.ndarray, tags: np.ndarray, lengths: np.ndarray,
               use_c: bool | None = None) -> np.ndarray:
        w = self.w
        x = np.concatenate([w["char_embedding"][ids], w["tag_embedding"][tags]], axis=2)
        halves = []
        for direction in ("fwd", "bwd"):
            p = f"lstm.{direction}"
            proj = _project(x, w[f"{p}.in_w"], w[f"{p}.in_b"], w[f"{p}.bias"])
            halves.append(_kernels.lstm(proj, lengths, w[f"{p}.rec_w"], w[f"{p}.peephole"],
                                        direction == "bwd", use_c))
        hidden = np.maximum(_project(np.concatenate(halves, axis=2), w["hidden.w"], w["hidden.b"]), 0)
        logits = _project(hidden, w["out.w"], w["out.b"])
        shifted = np.exp(logits - logits.max(axis=2, keepdims=True))
        return (shifted / shifted.sum(axis=2, keepdims=True)).argmax(axis=2)


@lru_cache(maxsize=None)
def tagger(model: str) -> Tagger:
    return Tagger(load_weights(model))


@lru_cache(maxsize=None)
def ranker() -> Ranker:
    return Ranker(load_weights("rank"))
