"""LAC's networks: a stacked BiGRU-CRF tagger and the BiLSTM word-rank model.

Both run on the C kernel when it is built, else on NumPy (BLAS products, NumPy
recurrences).  Weights come from the shipped safetensors files, loaded without torch.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from hub_lac import _kernels, _numpy_kernels
from hub_lac._vocab import DATA


@cache
def load_weights(model: str) -> dict[str, np.ndarray]:
    """The float32 tensors of ``lac``, ``seg`` or ``rank``, as converted from Baidu's files."""
    from safetensors.numpy import load_file

    tensors = load_file(DATA / f"{model}.safetensors")
    return {name: np.ascontiguousarray(t, dtype=np.float32) for name, t in tensors.items()}


def pad_ids(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """A (batch, longest) id matrix padded with 0, and the lengths."""
    lengths = np.array([len(s) for s in sequences], dtype=np.int32)
    ids = np.zeros((len(sequences), int(lengths.max(initial=0))), dtype=np.int64)
    for row, seq in enumerate(sequences):
        ids[row, : len(seq)] = seq
    return ids, lengths


def _project(x: np.ndarray, weight: np.ndarray, *biases: np.ndarray) -> np.ndarray:
    # One 2-D product over every position; biases are added one after the other, as in the graph.
    out = (x.reshape(-1, x.shape[-1]) @ weight).reshape(*x.shape[:-1], weight.shape[1])
    for bias in biases:
        out += bias
    return out


def _use_c(engine: object, use_c: bool | None) -> bool:
    return engine is not None and use_c is not False


class Tagger:
    """Embedding -> BiGRU layers -> emission scores -> Viterbi over the CRF's transitions."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self.layers = sum(1 for name in weights if name.endswith(".fwd.gate_w"))
        self.hidden = int(weights["gru0.fwd.cand_w"].shape[0])
        self._c = _kernels.CTagger(weights) if _kernels.BACKEND == "c" else None

    def tag(self, sequences: list[list[int]], use_c: bool | None = None) -> list[np.ndarray]:
        """Tag-id paths, one per non-empty id sequence; ``use_c=False`` forces NumPy."""
        if _use_c(self._c, use_c):
            return self._c.run(sequences)[0]  # type: ignore[union-attr]
        ids, lengths = pad_ids(sequences)
        w = self.w
        emission = self._emission(self.features(ids, lengths)[-1])
        paths = _numpy_kernels.viterbi(emission, lengths, w["crf.start"], w["crf.end"], w["crf.trans"])
        return [paths[row, :n] for row, n in enumerate(lengths.tolist())]

    def top_features(self, sequences: list[list[int]], use_c: bool | None = None) -> list[np.ndarray]:
        """The last BiGRU layer's output (length, 2 * hidden) per sequence."""
        if _use_c(self._c, use_c):
            return self._c.run(sequences, with_features=True)[1]  # type: ignore[union-attr]
        ids, lengths = pad_ids(sequences)
        top = self.features(ids, lengths)[-1]
        return [top[row, :n] for row, n in enumerate(lengths.tolist())]

    def features(self, ids: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        """NumPy: outputs of the embedding and of every BiGRU layer, each (batch, steps, dim)."""
        w = self.w
        x = w["embedding"][ids]
        outputs = [x]
        for layer in range(self.layers):
            halves = []
            for direction in ("fwd", "bwd"):
                p = f"gru{layer}.{direction}"
                proj = _project(x, w[f"{p}.in_w"], w[f"{p}.in_b"], w[f"{p}.bias"])
                halves.append(
                    _numpy_kernels.gru(proj, lengths, w[f"{p}.gate_w"], w[f"{p}.cand_w"], direction == "bwd")
                )
            x = np.concatenate(halves, axis=2)
            outputs.append(x)
        return outputs

    def _emission(self, top: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(_project(top, self.w["emission.w"], self.w["emission.b"]))


class Ranker:
    """Token and tag embeddings -> BiLSTM -> relu layer -> one of four importance levels per token."""

    def __init__(self, weights: dict[str, np.ndarray]) -> None:
        self.w = weights
        self._c = _kernels.CRanker(weights) if _kernels.BACKEND == "c" else None

    def rank(
        self, sequences: list[list[int]], tags: list[list[int]], use_c: bool | None = None
    ) -> list[np.ndarray]:
        """Rank per token, one array per id sequence, given the tagger's tag ids."""
        if _use_c(self._c, use_c):
            return self._c.run(sequences, tags)  # type: ignore[union-attr]
        ids, lengths = pad_ids(sequences)
        tag_ids, _ = pad_ids(tags)
        w = self.w
        x = np.concatenate([w["char_embedding"][ids], w["tag_embedding"][tag_ids]], axis=2)
        halves = []
        for direction in ("fwd", "bwd"):
            p = f"lstm.{direction}"
            proj = _project(x, w[f"{p}.in_w"], w[f"{p}.in_b"], w[f"{p}.bias"])
            halves.append(
                _numpy_kernels.lstm(proj, lengths, w[f"{p}.rec_w"], w[f"{p}.peephole"], direction == "bwd")
            )
        hidden = np.maximum(_project(np.concatenate(halves, axis=2), w["hidden.w"], w["hidden.b"]), 0)
        logits = _project(hidden, w["out.w"], w["out.b"])
        shifted = np.exp(logits - logits.max(axis=2, keepdims=True))
        ranks = (shifted / shifted.sum(axis=2, keepdims=True)).argmax(axis=2)
        return [ranks[row, :n] for row, n in enumerate(lengths.tolist())]


@cache
def tagger(model: str) -> Tagger:
    return Tagger(load_weights(model))


@cache
def ranker() -> Ranker:
    return Ranker(load_weights("rank"))
