"""The compiled engine: ``_ckernel.c`` run through ctypes, one call per network and batch.

The kernel is built when hub-lac is installed.  If it is missing (no compiler) or
``HUB_LAC_KERNEL=numpy`` is set, ``BACKEND`` is ``"numpy"`` and the networks use
``_numpy_kernels`` instead, which follow the same formulas.
"""

from __future__ import annotations

import ctypes
import importlib.machinery
import os
from pathlib import Path
from typing import Any

import numpy as np

_F32 = ctypes.POINTER(ctypes.c_float)
_I32 = ctypes.POINTER(ctypes.c_int32)


def _find_library() -> Path | None:
    here = Path(__file__).resolve().parent
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = here / f"_ckernel{suffix}"
        if candidate.is_file():
            return candidate
    return None


def _load() -> Any:
    if os.environ.get("HUB_LAC_KERNEL", "").lower() == "numpy":
        return None
    path = _find_library()
    if path is None:
        return None
    try:
        # PyDLL keeps the GIL during calls: the kernel caches first-layer rows in shared
        # buffers, so two threads must not run it at once.
        lib = ctypes.PyDLL(str(path))
    except OSError:
        return None
    return lib


_LIB = _load()
BACKEND = "c" if _LIB is not None else "numpy"


def _f(a: np.ndarray) -> Any:
    return a.ctypes.data_as(_F32)


def _i(a: np.ndarray) -> Any:
    return a.ctypes.data_as(_I32)


class _Direction(ctypes.Structure):
    _fields_ = [("in_w", _F32), ("in_b", _F32), ("bias", _F32), ("rec_w", _F32), ("cand_w", _F32)]


class _TaggerStruct(ctypes.Structure):
    _fields_ = [
        ("embedding", _F32),
        ("emb_dim", ctypes.c_int),
        ("hidden", ctypes.c_int),
        ("layers", ctypes.c_int),
        ("tags", ctypes.c_int),
        ("dirs", _Direction * 8),
        ("emission_w", _F32),
        ("emission_b", _F32),
        ("start", _F32),
        ("end", _F32),
        ("trans", _F32),
        ("vocab", ctypes.c_int),
        ("first_proj", _F32),
        ("first_ready", ctypes.c_void_p),
    ]


class _RankerStruct(ctypes.Structure):
    _fields_ = [
        ("char_embedding", _F32),
        ("tag_embedding", _F32),
        ("char_dim", ctypes.c_int),
        ("tag_dim", ctypes.c_int),
        ("hidden", ctypes.c_int),
        ("inner", ctypes.c_int),
        ("ranks", ctypes.c_int),
        ("dirs", _Direction * 2),
        ("hidden_w", _F32),
        ("hidden_b", _F32),
        ("out_w", _F32),
        ("out_b", _F32),
    ]


_I64 = ctypes.POINTER(ctypes.c_int64)
if _LIB is not None:
    _LIB.lac_tagger_run.argtypes = [ctypes.POINTER(_TaggerStruct), _I64, _I32, ctypes.c_int, _I32, _F32]
    _LIB.lac_tagger_run.restype = ctypes.c_int
    _LIB.lac_ranker_run.argtypes = [ctypes.POINTER(_RankerStruct), _I64, _I64, _I32, ctypes.c_int, _I32]
    _LIB.lac_ranker_run.restype = ctypes.c_int


def _direction(w: dict[str, np.ndarray], prefix: str, rec: str, second: str) -> _Direction:
    return _Direction(
        _f(w[f"{prefix}.in_w"]),
        _f(w[f"{prefix}.in_b"]),
        _f(w[f"{prefix}.bias"]),
        _f(w[f"{prefix}.{rec}"]),
        _f(w[f"{prefix}.{second}"]),
    )


def _packed(sequences: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int32, count=len(sequences))
    flat = np.fromiter((i for s in sequences for i in s), dtype=np.int64, count=int(lengths.sum()))
    return flat, lengths


def _split(flat: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    return np.split(flat, np.cumsum(lengths)[:-1]) if len(lengths) else []


class CTagger:
    """A BiGRU-CRF network handed to the C kernel once; each call runs a whole packed batch."""

    def __init__(self, w: dict[str, np.ndarray]) -> None:
        self._w = w  # the struct points into these arrays: keep them alive
        layers = sum(1 for name in w if name.endswith(".fwd.gate_w"))
        self.hidden = int(w["gru0.fwd.cand_w"].shape[0])
        dirs = [
            _direction(w, f"gru{layer}.{d}", "gate_w", "cand_w")
            for layer in range(layers)
            for d in ("fwd", "bwd")
        ]
        self._struct = _TaggerStruct(
            _f(w["embedding"]),
            w["embedding"].shape[1],
            self.hidden,
            layers,
            w["crf.start"].shape[0],
            (_Direction * 8)(*dirs),
            _f(w["emission.w"]),
            _f(w["emission.b"]),
            _f(w["crf.start"]),
            _f(w["crf.end"]),
            _f(w["crf.trans"]),
            w["embedding"].shape[0],
        )

    def run(self, sequences: list[list[int]], with_features: bool = False) -> tuple[list[np.ndarray], Any]:
        flat, lengths = _packed(sequences)
        paths = np.zeros(flat.shape[0], dtype=np.int32)
        features = np.zeros((flat.shape[0], 2 * self.hidden), dtype=np.float32) if with_features else None
        status = _LIB.lac_tagger_run(
            ctypes.byref(self._struct),
            flat.ctypes.data_as(_I64),
            _i(lengths),
            len(sequences),
            _i(paths),
            _f(features) if with_features else None,
        )
        if status == -2:
            raise ValueError(f"token ids must lie in [0, {self._struct.vocab})")
        if status:
            raise MemoryError("hub-lac: the C kernel could not allocate its buffers")
        return _split(paths, lengths), (_split(features, lengths) if with_features else None)


class CRanker:
    """The rank network handed to the C kernel once."""

    def __init__(self, w: dict[str, np.ndarray]) -> None:
        self._w = w
        hidden = int(w["lstm.fwd.rec_w"].shape[0])
        dirs = [_direction(w, f"lstm.{d}", "rec_w", "peephole") for d in ("fwd", "bwd")]
        self._struct = _RankerStruct(
            _f(w["char_embedding"]),
            _f(w["tag_embedding"]),
            w["char_embedding"].shape[1],
            w["tag_embedding"].shape[1],
            hidden,
            w["hidden.w"].shape[1],
            w["out.w"].shape[1],
            (_Direction * 2)(*dirs),
            _f(w["hidden.w"]),
            _f(w["hidden.b"]),
            _f(w["out.w"]),
            _f(w["out.b"]),
        )

    def run(self, sequences: list[list[int]], tags: list[list[int]]) -> list[np.ndarray]:
        flat, lengths = _packed(sequences)
        flat_tags, _ = _packed(tags)
        ranks = np.zeros(flat.shape[0], dtype=np.int32)
        status = _LIB.lac_ranker_run(
            ctypes.byref(self._struct),
            flat.ctypes.data_as(_I64),
            flat_tags.ctypes.data_as(_I64),
            _i(lengths),
            len(sequences),
            _i(ranks),
        )
        if status:
            raise MemoryError("hub-lac: the C kernel could not allocate its buffers")
        return _split(ranks, lengths)
