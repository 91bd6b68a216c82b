"""The user dictionary: phrases whose segmentation (and optionally tags) the user imposes.

A line is one item: one or more words separated by whitespace (or ``sep``), each
optionally followed by ``/TAG``.  Wherever the concatenated phrase occurs in a text,
its characters are re-tagged so that every listed word becomes exactly one word of the
output, with the given tag or, without one, the tag the model chose for that stretch.
Occurrences are taken left to right, the longest at each position, never overlapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hubcore import HubcoreError


class UserDictError(HubcoreError, ValueError):
    """A user dictionary that cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Item:
    phrase: str
    ends: tuple[int, ...]  # where each word of the item ends, as offsets into the phrase
    tags: tuple[str, ...]  # "" where the line gave no tag


def _parse_line(line: str, sep: str | None, where: str) -> Item | None:
    words = line.strip().split(sep) if sep else line.split()
    words = [w for w in words if w]
    if not words:
        return None
    phrase, ends, tags = "", [], []
    for word in words:
        cut = word.rfind("/")
        if cut < 1:  # no tag, or a word that starts with "/": the whole thing is text
            text, tag = word, ""
        else:
            text, tag = word[:cut], word[cut + 1 :]
            if not tag:
                raise UserDictError(f"{where}: {word!r} has a '/' but no tag after it")
        phrase += text
        ends.append(len(phrase))
        tags.append(tag)
    if len(phrase) < 2 and not tags[0]:
        return None  # a single character without a tag changes nothing
    return Item(phrase, tuple(ends), tuple(tags))


class UserDict:
    """Parsed items with a prefix table for left-to-right longest matching."""

    def __init__(self, items: dict[str, Item]) -> None:
        self.items = items
        self._prefixes = frozenset(p[:i] for p in items for i in range(1, len(p)))

    @classmethod
    def load(cls, path: str | Path, sep: str | None = None) -> UserDict:
        path = Path(path)
        items: dict[str, Item] = {}
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise UserDictError(f"cannot read user dictionary {path}: {exc.strerror or exc}") from None
        for number, line in enumerate(raw.split(b"\n"), start=1):
            where = f"{path}, line {number}"
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise UserDictError(f"{where}: not UTF-8 (byte {exc.start + 1})") from None
            item = _parse_line(
                text.rstrip("\r").lstrip("\ufeff") if number == 1 else text.rstrip("\r"), sep, where
            )
            if item is not None:
                items[item.phrase] = item
        return cls(items)

    def apply(self, text: str, labels: list[str]) -> None:
        """Rewrite per-character labels (``"n-B"``, ``"-S"``...) in place."""
        n, start = len(text), 0
        while start < n:
            best = None
            stop = start + 1
            while stop <= n:
                piece = text[start:stop]
                if piece in self.items:
                    best = self.items[piece]
                elif piece not in self._prefixes:
                    break
                stop += 1
            if best is None:
                start += 1
                continue
            begin = start
            for end, tag in zip(best.ends, best.tags, strict=True):
                for i in range(begin, start + end):
                    base = tag if tag else labels[i][:-2]
                    labels[i] = f"{base}-{'B' if i == begin else 'I'}"
                begin = start + end
            after = start + len(best.phrase)
            if after < n:
                labels[after] = labels[after][:-2] + "-B"
            start = after
