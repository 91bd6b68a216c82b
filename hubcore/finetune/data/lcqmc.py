"""LCQMC: Chinese question pairs, same intent or not (pointwise text matching).

PaddleHub serves the archive at its URL; the archive's and each file's MD5 are those
PaddleNLP's LCQMC data set publishes for that same URL.  Each split file has a header
row (skipped, whatever it names, as PaddleHub's reader did), then
``text_a<TAB>text_b<TAB>label`` with labels ``0``/``1``.  A ClassifyReader reads the pairs
and a TextClassifierTask matches them.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubcore.finetune.data.assets import LCQMC_ARCHIVE
from hubcore.finetune.data.datasets import TextClassificationDataset
from hubcore.finetune.data.paddle_archives import TsvArchive

ARCHIVE = TsvArchive(
    name="lcqmc",
    title="LCQMC",
    asset=LCQMC_ARCHIVE,
    file_md5={
        "train": "2193c022439b038ac12c0ae918b211a1",
        "dev": "c5dcba253cb4105d914964fd8b3c0e94",
        "test": "8f4b71e15e67696cc9e112a459ec42bd",
    },
)
COLUMNS = ("text_a", "text_b", "label")


class LCQMC(TextClassificationDataset):
    """LCQMC from ``data_dir`` (the archive, or its unpacked folder) or the hub's cache."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        folder = ARCHIVE.folder(data_dir, verify)
        files = {split: folder / f"{split}.tsv" for split in ARCHIVE.file_md5}
        super().__init__(files["train"], files["dev"], files["test"], label_list=["0", "1"], header=True)

    def _columns(self, path: Path, line_no: int, fields: list[str]) -> tuple[str, ...]:
        return COLUMNS  # the header row's names are not relied upon
