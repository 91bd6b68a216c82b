"""TNews and IFLYTEK: CLUE's Chinese text-classification sets, from CLUE's zips with PaddleNLP's MD5s.

PaddleHub 1.x served both from its own mirror without a digest; CLUE serves them as
zips whose MD5s (archive and split files) PaddleNLP publishes, so those are fetched here
through the asset cache and the safe extractor.  Each split is JSON lines,
``{"label": "102", "label_desc": ..., "sentence": ...}``; the test split has no labels.
Labels are CLUE's ids (strings), ascending.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from hubcore.finetune.data.assets import IFLYTEK_ARCHIVE, TNEWS_ARCHIVE
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.files import DatasetFormatError
from hubcore.finetune.data.paddle_archives import TsvArchive

# Split MD5s: PaddleNLP's paddlenlp/datasets/clue.py (BUILDER_CONFIGS[...]["splits"]).
TNEWS_FILES = TsvArchive(
    name="tnews",
    title="TNews",
    asset=TNEWS_ARCHIVE,
    file_md5={
        "train": "25c021725309a3330736380a230850fd",
        "dev": "f0660a3339a32e764075c801b42ece3c",
        "test": "2d1557c7548c72d5a84c47bbbd3a4e85",
    },
    suffix=".json",
)
IFLYTEK_FILES = TsvArchive(
    name="iflytek",
    title="IFLYTEK",
    asset=IFLYTEK_ARCHIVE,
    file_md5={
        "train": "fc9a21700c32ee3efee3fc283e9ac560",
        "dev": "79b7d95bddeb11cd54198fd077992704",
        "test": "ea764519ddb4369767d07664afde3325",
    },
    suffix=".json",
)


class ClueClassification(BaseDataset):
    """A CLUE classification set of JSON-lines split files; the test split may be unlabelled."""

    archive: ClassVar[str] = ""  # the module-level TsvArchive's name (looked up when built)
    labels: ClassVar[tuple[str, ...]] = ()

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        files: TsvArchive = globals()[self.archive]
        folder = files.folder(data_dir, verify)
        paths = {split: folder / f"{split}.json" for split in files.file_md5}
        super().__init__(paths["train"], paths["dev"], paths["test"], label_list=list(self.labels))

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        with open(path, encoding="utf-8") as handle:
            for line_no, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    text = str(row["sentence"]).strip()
                except (json.JSONDecodeError, KeyError, TypeError):
                    raise DatasetFormatError(
                        f"{path}, line {line_no}: not a JSON object with a 'sentence'"
                    ) from None
                if not text:
                    raise DatasetFormatError(f"{path}, line {line_no}: the sentence is empty")
                label = row.get("label")
                if label is None and phase != "test":
                    raise DatasetFormatError(f"{path}, line {line_no}: no 'label'")
                guid = str(row.get("id", f"{phase}-{line_no}"))
                yield (
                    line_no,
                    InputExample(guid=guid, text_a=text, label=None if label is None else str(label)),
                )


class TNews(ClueClassification):
    """TNews: Toutiao news titles in 15 categories (ids 100-116 without 105 and 111)."""

    archive = "TNEWS_FILES"
    labels = tuple(str(i) for i in range(100, 117) if i not in (105, 111))  # CLUE has no 105, 111


class IFLYTEK(ClueClassification):
    """IFLYTEK: app descriptions in 119 categories (ids 0-118)."""

    archive = "IFLYTEK_FILES"
    labels = tuple(str(i) for i in range(119))
