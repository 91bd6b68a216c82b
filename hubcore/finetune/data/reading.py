"""Reading-comprehension data: SQuAD-style JSON (CMRC2018, DRCD) read into checked examples.

The layout both data sets publish: ``{"data": [{"paragraphs": [{"context": ...,
"qas": [{"id": ..., "question": ..., "answers": [{"text": ..., "answer_start": N}]}]}]}]}``
where ``answer_start`` is the answer's character offset in ``context``.  Every answer
is checked against its context (the text must be found at its offset), so a shifted
offset fails here, naming the file and the question, rather than training on the
wrong span.  Test files may have no answers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from hubcore._errors import HubcoreError
from hubcore._specs import Asset
from hubcore.finetune.data.assets import CMRC2018_FILES, DRCD_FILES
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.files import DatasetFormatError


@dataclass
class ReadingExample(InputExample):
    """A question (``text_a``) on a context (``text_b``), answers as ``(text, char_start)``."""

    answers: list[tuple[str, int]] = field(default_factory=list)


class ReadingComprehensionDataset(BaseDataset):
    """Train, dev and test files in the SQuAD/CMRC2018 JSON layout (see the module docstring)."""

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=[])

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))["data"]
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as exc:
            raise DatasetFormatError(
                f"{path}: not a SQuAD-style JSON file with a 'data' list ({exc})"
            ) from None
        number = 0
        for article in _list(data, path, "data"):
            for paragraph in _list(_get(article, "paragraphs", path, "an article"), path, "paragraphs"):
                context = _get(paragraph, "context", path, "a paragraph")
                for qa in _list(_get(paragraph, "qas", path, "a paragraph"), path, "qas"):
                    number += 1
                    yield number, self._example(qa, str(context), path, number)

    def _example(self, qa: Any, context: str, path: Path, number: int) -> ReadingExample:
        qid = str(_get(qa, "id", path, f"question {number}"))
        question = str(_get(qa, "question", path, f"question {qid}")).strip()
        if not question:
            raise DatasetFormatError(f"{path}, question {qid}: the question is empty")
        answers: list[tuple[str, int]] = []
        for answer in _list(qa.get("answers", []), path, f"question {qid}'s answers"):
            text, start = _get(answer, "text", path, qid), _get(answer, "answer_start", path, qid)
            if not isinstance(start, int) or not isinstance(text, str) or not text:
                raise DatasetFormatError(
                    f"{path}, question {qid}: an answer needs a text and an int answer_start"
                )
            if context[start : start + len(text)] != text:
                raise DatasetFormatError(
                    f"{path}, question {qid}: answer {text!r} is not at character {start} of its context"
                )
            answers.append((text, start))
        return ReadingExample(guid=qid, text_a=question, text_b=context, answers=answers)

    def _labels_of(self, example: InputExample) -> list[str]:
        return []


def _get(node: Any, key: str, path: Path, where: str) -> Any:
    if not isinstance(node, dict) or key not in node:
        raise DatasetFormatError(f"{path}: {where} has no {key!r}")
    return node[key]


def _list(value: Any, path: Path, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise DatasetFormatError(f"{path}: {where} is not a list")
    return value


class _PaddleReadingSet(ReadingComprehensionDataset):
    """A reading set whose JSON files come from ``data_dir`` (a folder) or the asset cache.

    Without ``data_dir`` each split file is fetched through the asset cache from the URL
    PaddleNLP publishes it at, checked against PaddleNLP's MD5 (see ``_data_assets``);
    offline, the error says how to bring the files over.  A folder given as ``data_dir``
    (PaddleHub's unpacked archive, or the files themselves) is read as it is.
    """

    folder_name: ClassVar[str] = ""
    title: ClassVar[str] = ""
    split_files: ClassVar[dict[str, Asset]] = {}

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        files = self._fetched() if data_dir is None else self._in_folder(Path(data_dir))
        super().__init__(files.get("train"), files.get("dev"), files.get("test"))

    def _in_folder(self, folder: Path) -> dict[str, Path]:
        names = {split: asset.name for split, asset in self.split_files.items()}
        for candidate in (folder, folder / self.folder_name):
            if all((candidate / name).is_file() for name in names.values()):
                return {split: candidate / name for split, name in names.items()}
        raise HubcoreError(f"{folder}: no {self.title} files ({', '.join(names.values())}) there")

    def _fetched(self) -> dict[str, Path]:
        from hubcore.hub import fetch_asset

        files: dict[str, Path] = {}
        for split, asset in self.split_files.items():
            try:
                files[split] = Path(fetch_asset(asset, owner=f"dataset {self.folder_name!r}"))
            except HubcoreError as exc:
                raise HubcoreError(
                    f"{self.title} is not available: {exc}; or download {asset.urls[0]} (md5 {asset.md5}) "
                    f"and the other split files into one folder and pass data_dir=FOLDER"
                ) from None
        return files


class CMRC2018(_PaddleReadingSet):
    """CMRC2018 (simplified Chinese span extraction): train and dev."""

    folder_name, title = "cmrc2018", "CMRC2018"
    split_files: ClassVar[dict[str, Asset]] = CMRC2018_FILES


class DRCD(_PaddleReadingSet):
    """DRCD (traditional Chinese span extraction): train, dev and test."""

    folder_name, title = "drcd", "DRCD"
    split_files: ClassVar[dict[str, Asset]] = DRCD_FILES
