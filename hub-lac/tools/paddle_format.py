"""Readers for Paddle 1.x inference files: the ProgramDesc protobuf and LoDTensor parameters.

Paddle is not installable here, so the two binary formats are decoded by hand:
protobuf wire format for ``__model__`` and Paddle's tensor stream for parameters.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Paddle's VarType.Type enum values for tensor element types.
_DTYPES = {0: np.bool_, 1: np.int16, 2: np.int32, 3: np.int64, 4: np.float16, 5: np.float32, 6: np.float64}


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def parse_message(buf: bytes) -> list[tuple[int, int, object]]:
    """Protobuf fields as (number, wire type, value) in file order; length-delimited stay bytes."""
    fields: list[tuple[int, int, object]] = []
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        elif wire == 2:
            size, pos = _varint(buf, pos)
            value = buf[pos : pos + size]
            pos += size
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire} at byte {pos}")
        fields.append((number, wire, value))
    return fields


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _packed_or_single(wire: int, value: object) -> list[int]:
    if wire == 0:
        return [_signed(value)]  # type: ignore[arg-type]
    out, pos = [], 0
    data: bytes = value  # type: ignore[assignment]
    while pos < len(data):
        v, pos = _varint(data, pos)
        out.append(_signed(v))
    return out


@dataclass
class Op:
    type: str
    inputs: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    attrs: dict[str, object] = field(default_factory=dict)


def _parse_attr(buf: bytes) -> tuple[str, object]:
    name, value = "", None
    ints: list[int] = []
    floats: list[float] = []
    strings: list[str] = []
    kind = None
    for number, wire, raw in parse_message(buf):
        if number == 1:
            name = raw.decode()  # type: ignore[union-attr]
        elif number == 2:
            kind = raw
        elif number == 3 or number == 13:
            value = _signed(raw)  # type: ignore[arg-type]
        elif number == 4:
            value = struct.unpack("<f", raw)[0]  # type: ignore[arg-type]
        elif number == 5:
            value = raw.decode()  # type: ignore[union-attr]
        elif number in (6, 15):
            ints.extend(_packed_or_single(wire, raw))
        elif number == 7:
            if wire == 5:
                floats.append(struct.unpack("<f", raw)[0])  # type: ignore[arg-type]
            else:
                floats.extend(struct.unpack(f"<{len(raw) // 4}f", raw))  # type: ignore[arg-type]
        elif number == 8:
            strings.append(raw.decode())  # type: ignore[union-attr]
        elif number == 10:
            value = bool(raw)
        elif number == 12:
            value = ("block", raw)
    # AttrType: 3 INTS, 4 FLOATS, 5 STRINGS, 7 BOOLEANS, 11 LONGS
    if kind in (3, 11):
        value = ints
    elif kind == 4:
        value = floats
    elif kind == 5:
        value = strings
    return name, value


def _parse_slots(buf: bytes) -> tuple[str, list[str]]:
    name, args = "", []
    for number, _, raw in parse_message(buf):
        if number == 1:
            name = raw.decode()  # type: ignore[union-attr]
        elif number == 2:
            args.append(raw.decode())  # type: ignore[union-attr]
    return name, args


def parse_program(path: Path) -> list[Op]:
    """The ops of block 0 of a ``__model__`` ProgramDesc, in execution order."""
    ops: list[Op] = []
    for number, _, block in parse_message(path.read_bytes()):
        if number != 1:
            continue
        for bnum, _, raw in parse_message(block):  # type: ignore[arg-type]
            if bnum != 4:
                continue
            op = Op(type="")
            for onum, _, oraw in parse_message(raw):  # type: ignore[arg-type]
                if onum == 1:
                    k, v = _parse_slots(oraw)  # type: ignore[arg-type]
                    op.inputs[k] = v
                elif onum == 2:
                    k, v = _parse_slots(oraw)  # type: ignore[arg-type]
                    op.outputs[k] = v
                elif onum == 3:
                    op.type = oraw.decode()  # type: ignore[union-attr]
                elif onum == 4:
                    k, v = _parse_attr(oraw)  # type: ignore[arg-type]
                    op.attrs[k] = v
            ops.append(op)
        break
    return ops


def read_lod_tensor(path: Path) -> np.ndarray:
    """One parameter file: version, LoD levels, then a TensorDesc-described raw array."""
    data = path.read_bytes()
    (version,) = struct.unpack_from("<I", data, 0)
    if version != 0:
        raise ValueError(f"{path}: unsupported LoDTensor version {version}")
    (levels,) = struct.unpack_from("<Q", data, 4)
    pos = 12
    for _ in range(levels):
        (size,) = struct.unpack_from("<Q", data, pos)
        pos += 8 + size
    (tversion, desc_size) = struct.unpack_from("<Ii", data, pos)
    if tversion != 0:
        raise ValueError(f"{path}: unsupported tensor version {tversion}")
    pos += 8
    dtype, dims = None, []
    for number, wire, raw in parse_message(data[pos : pos + desc_size]):
        if number == 1:
            dtype = _DTYPES[raw]  # type: ignore[index]
        elif number == 2:
            dims.extend(_packed_or_single(wire, raw))
    pos += desc_size
    count = int(np.prod(dims)) if dims else 1
    arr = np.frombuffer(data, dtype=dtype, count=count, offset=pos).reshape(dims)
    if pos + arr.nbytes != len(data):
        raise ValueError(f"{path}: {len(data) - pos - arr.nbytes} trailing bytes")
    return arr.copy()
