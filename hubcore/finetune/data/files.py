"""Reading data-set files line by line, and the error that names the file and line of a bad one.

Shared by every data set: UTF-8 lines with their numbers (blank ones skipped, a lone
``\r`` treated as a line break), tab-separated rows, label-list files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hubcore._errors import HubcoreError


class DatasetFormatError(HubcoreError, ValueError):
    """A data file that cannot be read; the message names the file, the line and the fault."""


def as_path(value: str | os.PathLike[str] | None) -> Path | None:
    return None if value is None else Path(value)


def numbered_lines(path: Path) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their 1-based numbers, decoding errors reported by line.

    LF and CRLF line ends are read as they are; a file whose lines end in a lone CR
    (classic Mac OS, some spreadsheet exports) is detected and split at its CRs, rather
    than read as one long row.
    """
    with open(path, "rb") as handle:
        head = handle.read(1 << 16)
        handle.seek(0)
        source: Iterator[bytes] = _cr_lines(handle) if b"\r" in head and b"\n" not in head else iter(handle)
        for line_no, raw in enumerate(source, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise DatasetFormatError(f"{path}, line {line_no}: not UTF-8 ({exc.reason})") from None
            if line_no == 1:
                line = line.removeprefix("\ufeff")
            line = line.rstrip("\r\n")
            if line.strip():
                yield line_no, line


def _cr_lines(handle: Any) -> Iterator[bytes]:
    """The lines of a binary stream whose lines end in a lone CR (a CR byte is never inside UTF-8)."""
    pending = b""
    while block := handle.read(1 << 16):
        *complete, pending = (pending + block).split(b"\r")
        yield from complete
    if pending:
        yield pending


def tsv_rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    for line_no, line in numbered_lines(path):
        yield line_no, line.split("\t")


def read_label_file(path: Path) -> list[str]:
    if not path.is_file():
        raise DatasetFormatError(f"{path}: no such label list file")
    labels: list[str] = []
    for line_no, line in numbered_lines(path):
        name = line.strip()
        if name in labels:
            raise DatasetFormatError(f"{path}, line {line_no}: label {name!r} is listed twice")
        labels.append(name)
    if not labels:
        raise DatasetFormatError(f"{path}: the label list is empty")
    return labels
