"""The pairwise matching data set: ``query<TAB>positive<TAB>negative`` triples for training.

Dev and test files hold PaddleHub's pointwise pairs ``query<TAB>text<TAB>label`` (0/1);
the reader is in ``readers/matching.py`` and the task in ``tasks/matching.py``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.files import DatasetFormatError, tsv_rows
from hubcore.finetune.tasks import metrics as metrics

_HEADER_NAMES = {"text_a", "text_b", "text_c", "label", "query", "title"}


@dataclass
class TripleExample(InputExample):
    """A training triple: ``text_a`` the query, ``text_b`` the positive, ``text_c`` the negative."""

    text_c: str | None = None


class PairwiseMatchingDataset(BaseDataset):
    """Triples for training, labelled pairs (``0``/``1``) for dev and test; a header row is skipped."""

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=["0", "1"])

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        first = True
        for line_no, fields in tsv_rows(path):
            if first:
                first = False
                if {field.strip() for field in fields} <= _HEADER_NAMES:
                    continue
            if len(fields) != 3 or not all(field.strip() for field in fields):
                shape = "query, positive, negative" if phase == "train" else "query, text, label"
                raise DatasetFormatError(f"{path}, line {line_no}: expected 3 non-empty fields ({shape})")
            a, b, c = (field.strip() for field in fields)
            guid = f"{phase}-{line_no}"
            if phase == "train":
                yield line_no, TripleExample(guid=guid, text_a=a, text_b=b, text_c=c)
            else:
                yield line_no, InputExample(guid=guid, text_a=a, text_b=b, label=c)
