"""MSRA_NER: PaddleHub's Chinese named-entity data set, read from its unpacked folder.

PaddleHub serves it at :data:`ARCHIVE_URL` but publishes no digest for it, and this hub
downloads nothing it cannot verify; so the folder is provided by hand, once (PaddleHub
kept it in the same place: its home's data folder).  The error says how.  The files are
PaddleHub's: ``train.tsv``, ``dev.tsv``, ``test.tsv``, a ``text_a<TAB>label`` header,
then characters and their tags, each ``\\002``-separated.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore.finetune.data.datasets import SequenceLabelDataset

ARCHIVE_URL = "https://bj.bcebos.com/paddlehub-dataset/msra_ner.tar.gz"
LABELS = ("B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "O")  # PaddleHub's order


def default_folder() -> Path:
    """Where MSRA_NER() looks without ``data_dir``: ``$HUBCORE_HOME/datasets/msra_ner``."""
    from hubcore.hub import dataset_dir

    folder: Path = dataset_dir("msra_ner")
    return folder


class MSRANER(SequenceLabelDataset):
    """MSRA named entities (PER, ORG, LOC in BIO tags), PaddleHub's label order."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        folder = Path(data_dir) if data_dir is not None else default_folder()
        for candidate in (folder, folder / "msra_ner"):
            if (candidate / "train.tsv").is_file():
                folder = candidate
                break
        else:
            raise HubcoreError(
                f"MSRA_NER is not at {folder}: PaddleHub publishes no checksum for {ARCHIVE_URL}, so "
                f"it is not downloaded automatically; download it, unpack it and pass "
                f"MSRA_NER(data_dir=FOLDER) or put its msra_ner/ folder at {default_folder()}"
            )
        files = {split: folder / f"{split}.tsv" for split in ("train", "dev", "test")}
        for split, path in files.items():
            if not path.is_file():
                raise HubcoreError(f"{path}: no such file (MSRA_NER's {split} split)")
        super().__init__(files["train"], files["dev"], files["test"], label_list=list(LABELS), header=True)
