"""XNLI: premise/hypothesis pairs labelled entailment, neutral or contradiction, one language.

PaddleHub 1.x served its own per-language archive without a digest; PaddleNLP publishes
two zips with MD5s (``_data_assets``), fetched here through the asset cache: the machine-
translated training sets (``XNLI-MT-1.0/multinli/multinli.train.{lang}.tsv``, a
``premise<TAB>hypo<TAB>label`` header, ``contradictory`` meaning contradiction) and the
human-translated dev and test sets (``XNLI-1.0/xnli.{dev,test}.tsv``: every language in
one file, with ``language``, ``gold_label``, ``sentence1``, ``sentence2`` columns; their
MD5s are PaddleNLP's too).  Only the three files of the chosen language are unpacked, by
the safe extractor, into ``datasets/xnli_{lang}``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hubcore._errors import HubcoreError
from hubcore.finetune.data.archives import ArchiveLimits, check_digest, extract_members, md5_of, swap_in
from hubcore.finetune.data.assets import XNLI_EVAL_ARCHIVE, XNLI_TRAIN_ARCHIVE
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.files import DatasetFormatError, tsv_rows

LANGUAGES = ("ar", "bg", "de", "el", "en", "es", "fr", "hi", "ru", "sw", "th", "tr", "ur", "vi", "zh")
LABELS = ("entailment", "neutral", "contradiction")
# Dev and test MD5s: PaddleNLP's paddlenlp/datasets/xnli.py (SPLITS data_md5).
EVAL_MD5 = {
    "xnli.dev.tsv": "4c23601abba3e3e222e19d1c6851649e",
    "xnli.test.tsv": "fbc26e90f7e892e24dde978a2bd8ece6",
}
LIMITS = ArchiveLimits(max_members=1_000, max_bytes=4 * 1024 * 1024 * 1024)
ARCHIVES = {"train": XNLI_TRAIN_ARCHIVE, "eval": XNLI_EVAL_ARCHIVE}


class XNLI(BaseDataset):
    """XNLI in ``language`` (default ``zh``) from ``data_dir`` (a folder of its three files) or the cache."""

    def __init__(self, language: str = "zh", data_dir: str | os.PathLike[str] | None = None) -> None:
        if language not in LANGUAGES:
            raise HubcoreError(f"XNLI has no language {language!r}: choose one of {', '.join(LANGUAGES)}")
        self.language = language
        names = {"train": f"multinli.train.{language}.tsv", "dev": "xnli.dev.tsv", "test": "xnli.test.tsv"}
        folder = Path(data_dir) if data_dir is not None else _cached(language, names)
        missing = [name for name in names.values() if not (folder / name).is_file()]
        if missing:
            raise HubcoreError(f"{folder}: no {missing[0]} (XNLI's files: {', '.join(names.values())})")
        paths = {split: folder / name for split, name in names.items()}
        super().__init__(paths["train"], paths["dev"], paths["test"], label_list=list(LABELS))

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        columns: dict[str, int] | None = None
        for line_no, fields in tsv_rows(path):
            if columns is None:
                columns = {name.strip(): index for index, name in enumerate(fields)}
                wanted = ("premise", "hypo", "label") if phase == "train" else _EVAL_COLUMNS
                if not set(wanted) <= set(columns):
                    raise DatasetFormatError(
                        f"{path}, line {line_no}: the header lacks {sorted(set(wanted) - set(columns))}"
                    )
                continue
            row = {
                name: fields[index].strip() if index < len(fields) else "" for name, index in columns.items()
            }
            if phase == "train":
                a, b, label = (
                    row["premise"],
                    row["hypo"],
                    row["label"].replace("contradictory", "contradiction"),
                )
            elif row["language"] != self.language:
                continue
            else:
                a, b, label = row["sentence1"], row["sentence2"], row["gold_label"]
            if a and b and label:
                yield line_no, InputExample(guid=f"{phase}-{line_no}", text_a=a, text_b=b, label=label)


_EVAL_COLUMNS = ("language", "gold_label", "sentence1", "sentence2")


def _cached(language: str, names: dict[str, str]) -> Path:
    from hubcore.hub import dataset_dir

    target = Path(dataset_dir(f"xnli_{language}"))
    if all((target / name).is_file() for name in names.values()) and _eval_verified(target):
        return target
    archives = {kind: _fetch(asset) for kind, asset in ARCHIVES.items()}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        for kind, archive in archives.items():
            check_digest(archive, md5=ARCHIVES[kind].md5, sha256=ARCHIVES[kind].sha256, owner="XNLI")
        extract_members(archives["train"], {names["train"]: staging / names["train"]}, LIMITS)
        extract_members(archives["eval"], {name: staging / name for name in EVAL_MD5}, LIMITS)
        if not _eval_verified(staging):
            raise DatasetFormatError("XNLI's dev or test file differs from the MD5 PaddleNLP publishes")
        swap_in(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _eval_verified(folder: Path) -> bool:
    try:
        return all(md5_of(folder / name) == md5 for name, md5 in EVAL_MD5.items())
    except OSError:
        return False


def _fetch(asset: Any) -> Path:
    from hubcore.hub import fetch_asset

    try:
        return Path(fetch_asset(asset, owner="dataset 'xnli'"))
    except HubcoreError as exc:
        raise HubcoreError(
            f"XNLI is not available: {exc}; or download {_by_hand(XNLI_TRAIN_ARCHIVE)} and "
            f"{_by_hand(XNLI_EVAL_ARCHIVE)}, unpack the language's three files into one folder, "
            "pass data_dir=FOLDER"
        ) from None


def _by_hand(asset: Any) -> str:
    return f"{asset.urls[0]} (md5 {asset.md5})"
