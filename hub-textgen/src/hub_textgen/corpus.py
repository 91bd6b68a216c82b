"""Text corpora for the ``language_model`` task: one text per line, or texts held in memory.

A language model's "label" is the text itself, so these data sets have no label list; the reader
turns each text into (window, next character) examples.  Plain Python, no torch.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

from hubcore import HubcoreError
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.files import DatasetFormatError, numbered_lines

PYJOKES_VERSION = "0.8.3"


class TextCorpusDataset(BaseDataset):
    """Up to three UTF-8 files (train, dev, test), each non-blank line one text.

    ``TextCorpusDataset.from_texts(train, dev, test)`` builds one from lists instead.  A line that
    is not UTF-8 raises :class:`DatasetFormatError` naming the file and line.
    """

    def __init__(
        self,
        train_file: str | os.PathLike[str] | None = None,
        dev_file: str | os.PathLike[str] | None = None,
        test_file: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(train_file, dev_file, test_file, label_list=[])
        self._texts: dict[str, list[str]] | None = None

    @classmethod
    def from_texts(
        cls,
        train: Sequence[str],
        dev: Sequence[str] | None = None,
        test: Sequence[str] | None = None,
    ) -> TextCorpusDataset:
        dataset = cls()
        texts = {"train": list(train), "dev": list(dev or []), "test": list(test or [])}
        for phase, items in texts.items():
            for index, text in enumerate(items):
                if not isinstance(text, str) or not text.strip():
                    raise DatasetFormatError(
                        f"{phase} text {index}: expected a non-blank string, got {text!r:.60}"
                    )
        dataset._texts = texts
        return dataset

    def get_examples(self, phase: str) -> list[InputExample]:
        if self._texts is not None and phase in self._texts:
            return [InputExample(guid=f"{phase}-{i}", text_a=t) for i, t in enumerate(self._texts[phase])]
        return super().get_examples(phase)

    def _read(self, path: Path, phase: str) -> Iterator[tuple[int, InputExample]]:
        for line_no, line in numbered_lines(path):
            yield line_no, InputExample(guid=f"{phase}-{line_no}", text_a=line)


class PyJokesDataset(TextCorpusDataset):
    """The English jokes of the installed ``pyjokes`` package: real text from a registry package.

    Sorted, de-duplicated, then every 10th joke goes to dev and every 10th (offset 5) to test, so
    the split is the same on every machine.  ``pip install pyjokes==0.8.3`` (hub-textgen's
    ``demo`` and ``test`` extras) provides it.
    """

    def __init__(self) -> None:
        try:
            import pyjokes
        except ImportError:
            raise HubcoreError(
                f"the pyjokes_en data set needs pyjokes: pip install pyjokes=={PYJOKES_VERSION}"
            ) from None
        jokes = sorted({" ".join(joke.split()) for joke in pyjokes.get_jokes(language="en", category="all")})
        super().__init__()
        split = {"train": [], "dev": [], "test": []}  # type: dict[str, list[str]]
        for index, joke in enumerate(jokes):
            phase = "dev" if index % 10 == 0 else "test" if index % 10 == 5 else "train"
            split[phase].append(joke)
        self._texts = split
