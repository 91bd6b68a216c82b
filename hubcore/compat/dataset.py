"""``hub.dataset``: PaddleHub 1.x's data set names over hubcore's data sets.

``ChnSentiCorp()`` and ``MSRA_NER()`` are hubcore's own (see their docstrings for
where the files come from); ``BaseNLPDataset`` reads a custom set in PaddleHub's
layout (a folder of TSV files with a header row) as PaddleHub's did.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore.finetune.data.chnsenticorp import ChnSentiCorp
from hubcore.finetune.data.clue import IFLYTEK, TNews
from hubcore.finetune.data.datasets import (
    BaseDataset,
    InputExample,
    SequenceLabelDataset,
    TextClassificationDataset,
)
from hubcore.finetune.data.lcqmc import LCQMC
from hubcore.finetune.data.msra_ner import MSRANER as MSRA_NER
from hubcore.finetune.data.pairs import BQ
from hubcore.finetune.data.pairs import NLPCCDBQA as NLPCC_DBQA
from hubcore.finetune.data.reading import CMRC2018, DRCD
from hubcore.finetune.data.xnli import XNLI

__all__ = [
    "BQ",
    "CMRC2018",
    "DRCD",
    "IFLYTEK",
    "LCQMC",
    "MSRA_NER",
    "NLPCC_DBQA",
    "XNLI",
    "BaseDataset",
    "BaseNLPDataset",
    "ChnSentiCorp",
    "InputExample",
    "SeqLabelingDataset",
    "TNews",
]


def _files(base_path: str | os.PathLike[str], names: dict[str, str | None]) -> dict[str, Path | None]:
    base = Path(base_path)
    if not base.is_dir():
        raise HubcoreError(f"base_path {str(base)!r} is not a folder")
    return {phase: (base / name if name else None) for phase, name in names.items()}


def _label_list(base: Path, label_file: str | None, label_list: Sequence[str] | None) -> list[str] | None:
    if label_list is not None:
        return list(label_list)
    if label_file is None:
        return None
    path = base / label_file
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as exc:
        raise HubcoreError(f"cannot read label_file {path}: {exc.strerror or exc}") from None


class BaseNLPDataset(TextClassificationDataset):
    """PaddleHub's custom text data set: ``BaseNLPDataset(base_path, train_file=..., label_list=...)``.

    Files are relative to ``base_path``; a first row naming the columns (PaddleHub's
    ``label<TAB>text_a``) is read as a header.  ``predict_file`` is accepted: its texts
    are for your own predict() call, as in PaddleHub.
    """

    def __init__(
        self,
        base_path: str | os.PathLike[str],
        train_file: str | None = None,
        dev_file: str | None = None,
        test_file: str | None = None,
        predict_file: str | None = None,
        label_file: str | None = None,
        label_list: Sequence[str] | None = None,
    ) -> None:
        files = _files(base_path, {"train": train_file, "dev": dev_file, "test": test_file})
        labels = _label_list(Path(base_path), label_file, label_list)
        super().__init__(files["train"], files["dev"], files["test"], label_list=labels)
        self.predict_file = Path(base_path) / predict_file if predict_file else None


class SeqLabelingDataset(SequenceLabelDataset):
    """PaddleHub 1.8's custom sequence-labelling set: files relative to ``base_path``."""

    def __init__(
        self,
        base_path: str | os.PathLike[str],
        train_file: str | None = None,
        dev_file: str | None = None,
        test_file: str | None = None,
        predict_file: str | None = None,
        label_file: str | None = None,
        label_list: Sequence[str] | None = None,
    ) -> None:
        files = _files(base_path, {"train": train_file, "dev": dev_file, "test": test_file})
        labels = _label_list(Path(base_path), label_file, label_list)
        super().__init__(files["train"], files["dev"], files["test"], label_list=labels)
        self.predict_file = Path(base_path) / predict_file if predict_file else None
