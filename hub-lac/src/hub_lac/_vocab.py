"""LAC's dictionaries: characters and words to ids, full-width to half-width, tag names."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
OOV = "OOV"


def _pairs(path: Path) -> list[tuple[str, str]]:
    # Only line ends are stripped: " " and other blanks are real entries of these files.
    pairs = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        fields = line.split("\t")
        if len(fields) == 2:
            pairs.append((fields[0], fields[1]))
    return pairs


@dataclass(frozen=True)
class Vocab:
    """Token -> id, after LAC's full-width to half-width replacement."""

    ids: dict[str, int]
    q2b: dict[str, str]
    oov_id: int

    def token_id(self, token: str) -> int:
        return self.ids.get(self.q2b.get(token, token), self.oov_id)


@cache
def q2b_map() -> dict[str, str]:
    return dict(_pairs(DATA / "q2b.dic"))


@cache
def vocab(name: str) -> Vocab:
    """``"word.dic"`` (lac and rank: characters and frequent words) or ``"seg_word.dic"``."""
    ids = {token: int(index) for index, token in _pairs(DATA / name)}
    return Vocab(ids=ids, q2b=q2b_map(), oov_id=ids[OOV])


@cache
def tag_names(name: str) -> tuple[str, ...]:
    """Tag id -> label such as ``"n-B"``; where the file lists an id twice the later name wins."""
    by_id: dict[int, str] = {}
    for index, label in _pairs(DATA / name):
        by_id[int(index)] = label
    return tuple(by_id[i] for i in range(len(by_id)))


@cache
def tag_ids(name: str) -> dict[str, int]:
    return {label: index for index, label in _pairs(DATA / name)} | {
        label: i for i, label in enumerate(tag_names(name))
    }
