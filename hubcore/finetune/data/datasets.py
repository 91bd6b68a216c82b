"""Data sets: labelled examples read from plain text files, checked line by line.

Every split is a file; a data set reads each one on first use and keeps the
examples.  A malformed line raises :class:`DatasetFormatError` naming the file,
the line number and what is wrong, because a custom data set that fails somewhere
inside training, far from its cause, is the commonest complaint of fine-tuning
users.  Nothing here imports torch: data sets are plain Python.

File formats (UTF-8; blank lines are skipped):

- text classification: ``text_a[<TAB>text_b]<TAB>label``; an optional header row
  names the columns (``text_a``, ``text_b``, ``label``, in any order), which is how
  a label-first file such as ChnSentiCorp's is read; a ``guid``, ``qid`` or ``id``
  column, if named, gives the examples their ids.
- sequence labelling: ``c1\\002c2\\002...<TAB>t1\\002t2\\002...``: one tag per
  character, ``O`` for characters outside every entity; test files may omit tags.
- multi-label: ``text_a[<TAB>text_b]<TAB>l1,l2``: the labels that apply, comma
  separated, possibly none.
- image classification: ``relative/path label`` per line, the path relative to
  the list file's folder and the label either a name from the label list file
  (one name a line) or its 0-based index there.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from hubcore._errors import HubcoreError
from hubcore.finetune.data.files import DatasetFormatError, as_path, numbered_lines, read_label_file, tsv_rows

PHASES = ("train", "dev", "test")
SEQ_SEP = "\002"  # separates characters and tags in sequence-labelling files
_TEXT_COLUMNS = ("text_a", "text_b", "label", "guid", "qid", "id")  # an id column names the example


@dataclass
class InputExample:
    """One labelled (or, for prediction, unlabelled) example.

    ``text_a`` is the text; for sequence labelling it holds the characters joined by
    ``"\\002"`` and ``label`` the list of tags; for images it is the image's absolute
    path.  Multi-label examples carry the list of labels that apply.
    """

    guid: str
    text_a: str
    text_b: str | None = None
    label: str | list[str] | None = None


class BaseDataset:
    """A data set made of up to three split files, read lazily and checked.

    Subclasses implement :meth:`_read` (the examples of one file, each with the line
    it came from). ``label_list`` fixes the labels and their order; without it the
    labels are those seen in the training file, sorted, so that two runs over the
    same data agree on label ids.  Labels of the dev and test files must be in the
    list, or the error names the line.
    """

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
        *,
        label_list: Sequence[str] | None = None,
    ) -> None:
        self.files: dict[str, Path | None] = {
            "train": as_path(train_file),
            "dev": as_path(dev_file),
            "test": as_path(test_file),
        }
        self._label_list = list(label_list) if label_list is not None else None
        self._cache: dict[str, list[InputExample]] = {}

    # -- the public API -------------------------------------------------------------

    def get_train_examples(self) -> list[InputExample]:
        """Examples of the training file ([] when the data set has none)."""
        return self.get_examples("train")

    def get_dev_examples(self) -> list[InputExample]:
        """Examples of the dev (validation) file ([] when the data set has none)."""
        return self.get_examples("dev")

    def get_test_examples(self) -> list[InputExample]:
        """Examples of the test file ([] when the data set has none)."""
        return self.get_examples("test")

    def get_examples(self, phase: str) -> list[InputExample]:
        """Examples of one split, ``phase`` in ``train``, ``dev``, ``test``."""
        if phase not in PHASES:
            raise HubcoreError(f"unknown phase {phase!r}: expected one of {', '.join(PHASES)}")
        if phase not in self._cache:
            self._cache[phase] = self._load(phase)
        return self._cache[phase]

    def get_labels(self) -> list[str]:
        """The label names; a label's id is its index here."""
        if self._label_list is None:
            self._label_list = self._labels_seen()
        return list(self._label_list)

    @property
    def num_labels(self) -> int:
        """How many labels there are."""
        return len(self.get_labels())

    def __repr__(self) -> str:
        files = ", ".join(f"{phase}={path}" for phase, path in self.files.items() if path)
        return f"{type(self).__name__}({files})"

    # -- for subclasses ---------------------------------------------------------------

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        """Yield ``(line_number, example)`` for every example of ``path``."""
        raise NotImplementedError

    def _labels_of(self, example: InputExample) -> list[str]:
        """The label names one example uses (for building and checking the label list)."""
        if example.label is None:
            return []
        return [example.label] if isinstance(example.label, str) else list(example.label)

    def _labels_seen(self) -> list[str]:
        seen: set[str] = set()
        for example in self.get_train_examples():
            seen.update(self._labels_of(example))
        return sorted(seen)

    # -- internals ------------------------------------------------------------------------

    def _load(self, phase: str) -> list[InputExample]:
        path = self.files[phase]
        if path is None:
            return []
        if not path.is_file():
            raise DatasetFormatError(f"{path}: no such {phase} file")
        numbered = list(self._read(path, phase))
        if phase != "train" or self._label_list is not None:
            known = set(self.get_labels())
            for line_no, example in numbered:
                for label in self._labels_of(example):
                    if label not in known:
                        raise DatasetFormatError(
                            f"{path}, line {line_no}: label {label!r} is not in the label list "
                            f"{sorted(known)}"
                        )
        return [example for _, example in numbered]


class TextClassificationDataset(BaseDataset):
    """Sentences or sentence pairs with one label each (TSV, optional header).

    ``header=None`` detects a header: a first row whose fields are all column names
    (``text_a``, ``text_b``, ``label``).  Without a header, two fields mean
    ``text_a, label`` and three ``text_a, text_b, label``; ``labelled=False`` reads
    files without a label column (``text_a[, text_b]``) for prediction.
    """

    allow_empty_label: ClassVar[bool] = False

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
        *,
        label_list: Sequence[str] | None = None,
        header: bool | None = None,
        labelled: bool = True,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=label_list)
        self.header = header
        self.labelled = labelled

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        columns: tuple[str, ...] | None = None
        for line_no, fields in tsv_rows(path):
            if columns is None:
                columns = self._columns(path, line_no, fields)
                if columns and self._is_header(fields):
                    continue
            if len(fields) != len(columns):
                raise DatasetFormatError(
                    f"{path}, line {line_no}: expected {len(columns)} tab-separated fields "
                    f"({', '.join(columns)}), found {len(fields)}"
                )
            row = dict(zip(columns, fields, strict=True))
            text_a = row["text_a"].strip()
            if not text_a:
                raise DatasetFormatError(f"{path}, line {line_no}: text_a is empty")
            label = row.get("label")
            if label is not None:
                label = label.strip()
                if not label and not self.allow_empty_label:
                    raise DatasetFormatError(f"{path}, line {line_no}: label is empty")
            guid = next((row[key].strip() for key in ("guid", "qid", "id") if row.get(key, "").strip()), "")
            guid = guid or f"{phase}-{line_no}"
            yield line_no, self._example(guid, text_a, row.get("text_b"), label, path, line_no)

    def _example(
        self, guid: str, text_a: str, text_b: str | None, label: str | None, path: Path, line_no: int
    ) -> InputExample:
        return InputExample(guid=guid, text_a=text_a, text_b=text_b, label=label)

    def _is_header(self, fields: list[str]) -> bool:
        if self.header is not None:
            return self.header
        return all(field.strip() in _TEXT_COLUMNS for field in fields)

    def _columns(self, path: Path, line_no: int, fields: list[str]) -> tuple[str, ...]:
        if self._is_header(fields):
            names = tuple(field.strip() for field in fields)
            unknown = [name for name in names if name not in _TEXT_COLUMNS]
            if unknown or len(set(names)) != len(names) or "text_a" not in names:
                raise DatasetFormatError(
                    f"{path}, line {line_no}: header {list(names)} must name distinct columns among "
                    f"{list(_TEXT_COLUMNS)}, text_a included"
                )
            if self.labelled and "label" not in names:
                raise DatasetFormatError(f"{path}, line {line_no}: header has no 'label' column")
            return names
        layouts = {
            True: {2: ("text_a", "label"), 3: ("text_a", "text_b", "label")},
            False: {1: ("text_a",), 2: ("text_a", "text_b")},
        }[self.labelled]
        if len(fields) not in layouts:
            expected = " or ".join(str(n) for n in layouts)
            raise DatasetFormatError(
                f"{path}, line {line_no}: expected {expected} tab-separated fields, found {len(fields)}"
            )
        return layouts[len(fields)]


class MultiLabelDataset(TextClassificationDataset):
    """Texts with any number of labels each: the label field lists them, comma separated."""

    label_separator: ClassVar[str] = ","
    allow_empty_label: ClassVar[bool] = True

    def _example(
        self, guid: str, text_a: str, text_b: str | None, label: str | None, path: Path, line_no: int
    ) -> InputExample:
        labels = None if label is None else [part.strip() for part in label.split(self.label_separator)]
        if labels is not None:
            labels = [name for name in labels if name]
            if len(set(labels)) != len(labels):
                raise DatasetFormatError(f"{path}, line {line_no}: a label is repeated in {label!r}")
        return InputExample(guid=guid, text_a=text_a, text_b=text_b, label=labels)


class SequenceLabelDataset(BaseDataset):
    """Characters with one tag each, ``\\002``-separated, for sequence labelling.

    The label list defaults to the tags seen in training, sorted, with ``O`` first
    when present so that "no entity" has id 0.
    """

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
        *,
        label_list: Sequence[str] | None = None,
        header: bool | None = None,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=label_list)
        self.header = header

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        first = True
        for line_no, fields in tsv_rows(path):
            if first:
                first = False
                is_header = self.header if self.header is not None else fields[0].strip() == "text_a"
                if is_header:
                    continue
            if len(fields) not in (1, 2):
                raise DatasetFormatError(
                    f"{path}, line {line_no}: expected characters<TAB>tags, found {len(fields)} fields"
                )
            chars = fields[0].split(SEQ_SEP)
            if not fields[0] or any(not char for char in chars):
                raise DatasetFormatError(f"{path}, line {line_no}: an empty character in the text")
            tags = None
            if len(fields) == 2:
                tags = [tag.strip() for tag in fields[1].split(SEQ_SEP)]
                if len(tags) != len(chars):
                    raise DatasetFormatError(
                        f"{path}, line {line_no}: {len(chars)} characters but {len(tags)} tags"
                    )
                if any(not tag for tag in tags):
                    raise DatasetFormatError(f"{path}, line {line_no}: an empty tag")
            elif phase != "test":
                raise DatasetFormatError(f"{path}, line {line_no}: no tags (only test files may omit them)")
            yield line_no, InputExample(guid=f"{phase}-{line_no}", text_a=fields[0], label=tags)

    def _labels_seen(self) -> list[str]:
        labels = super()._labels_seen()
        if "O" in labels:
            labels.remove("O")
            labels.insert(0, "O")
        return labels


class ImageClassificationDataset(BaseDataset):
    """Images listed as ``relative/path label`` lines, with a label list file.

    Paths resolve against the list file's folder (or ``base_dir``); a missing image
    is reported with the list file and line, before any training starts.
    """

    def __init__(
        self,
        train_list: str | os.PathLike[str] | None = None,
        dev_list: str | os.PathLike[str] | None = None,
        test_list: str | os.PathLike[str] | None = None,
        *,
        label_list_file: str | os.PathLike[str] | None = None,
        label_list: Sequence[str] | None = None,
        base_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        if label_list is None and label_list_file is not None:
            label_list = read_label_file(Path(label_list_file))
        super().__init__(train_list, dev_list, test_list, label_list=label_list)
        self.base_dir = as_path(base_dir)

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        root = self.base_dir or path.parent
        labels = self._label_list
        for line_no, line in numbered_lines(path):
            parts = line.rsplit(None, 1)
            if len(parts) != 2:
                raise DatasetFormatError(f"{path}, line {line_no}: expected 'relative/path label'")
            rel, label = parts
            image = (root / rel).resolve()
            if not image.is_file():
                raise DatasetFormatError(f"{path}, line {line_no}: image {image} does not exist")
            if labels is not None and label not in labels and label.isdigit():
                index = int(label)
                if index >= len(labels):
                    raise DatasetFormatError(
                        f"{path}, line {line_no}: label index {index} is out of range "
                        f"(the label list has {len(labels)} labels)"
                    )
                label = labels[index]
            yield line_no, InputExample(guid=f"{phase}-{line_no}", text_a=str(image), label=label)
