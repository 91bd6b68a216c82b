"""``hub.reader``: PaddleHub 1.x's reader constructors over hubcore's readers.

PaddleHub's readers took the vocabulary as a path (``vocab_path=module.get_vocab_path()``);
hubcore's take the module context's tokenizer.  So a reader made here records the data
set and its options, and becomes the real reader when a task receives it together with
``feature=`` (the module's output, which knows its tokenizer).  ``vocab_path``,
``sp_model_path``, ``word_dict_path``, ``do_lower_case``, ``random_seed`` and
``in_tokens`` are accepted; the tokenizer of the module decides them here.
"""

from __future__ import annotations

from typing import Any

from hubcore._errors import HubcoreError
from hubcore.compat._notes import note_once

_IGNORED = ("sp_model_path", "word_dict_path", "do_lower_case", "random_seed", "in_tokens", "use_task_id")


class CompatReader:
    """A reader waiting for its module's tokenizer (see the module docstring)."""

    kind = "classify"  # the registered name of the real reader
    regression = False

    def __init__(
        self,
        dataset: Any = None,
        vocab_path: str | None = None,
        max_seq_len: int = 512,
        label_list: list[str] | None = None,
        **options: Any,
    ) -> None:
        unknown = sorted(set(options) - set(_IGNORED))
        if unknown:
            raise HubcoreError(f"{type(self).__name__}: unknown option(s) {', '.join(unknown)}")
        given = sorted(key for key, value in options.items() if value not in (None, False))
        if given:
            note_once(
                "reader-options",
                f"reader option(s) {', '.join(given)} are decided by the module's own tokenizer here",
            )
        if dataset is None and label_list is None:
            raise HubcoreError(f"{type(self).__name__} needs dataset= (or label_list= to predict only)")
        self.dataset = dataset
        self.vocab_path = vocab_path
        self.max_seq_len = max_seq_len
        self._label_list = label_list
        self._bound: dict[int, Any] = {}

    @property
    def label_list(self) -> list[str]:
        """The data set's labels (PaddleHub's readers had ``label_map``; its keys in order)."""
        if self._label_list is not None:
            return list(self._label_list)
        return list(self.dataset.get_labels()) if not self.regression else []

    @property
    def label_map(self) -> dict[str, int]:
        """PaddleHub's label -> id dict."""
        return {label: index for index, label in enumerate(self.label_list)}

    def bind(self, context: Any) -> Any:
        """The real hubcore reader over ``context``'s tokenizer (one per context)."""
        key = id(context)
        if key not in self._bound:
            from hubcore._module import load_component

            cls = load_component("reader", self.kind)
            options: dict[str, Any] = {"regression": True} if self.regression else {}
            # PaddleHub's readers default to 512; never exceed what the module's context was built for
            length = min(self.max_seq_len, getattr(context, "max_seq_len", self.max_seq_len))
            self._bound[key] = cls(self.dataset, context.tokenizer, length, self._label_list, **options)
        return self._bound[key]


class ClassifyReader(CompatReader):
    """One label per text or text pair."""


class RegressionReader(CompatReader):
    """One number per text or text pair."""

    regression = True


class MultiLabelClassifyReader(CompatReader):
    """Any number of labels per text."""

    kind = "multi_label_classify"


class SequenceLabelReader(CompatReader):
    """One tag per character."""

    kind = "sequence_label"


LACClassifyReader = ClassifyReader  # PaddleHub's reader for LAC's word features; LAC reads characters here


class ReadingComprehensionReader(CompatReader):
    """Question-and-context windows (``doc_stride``, ``max_query_length`` as PaddleHub named them)."""

    kind = "reading_comprehension"

    def __init__(
        self,
        dataset: Any = None,
        vocab_path: str | None = None,
        max_seq_len: int = 512,
        doc_stride: int = 128,
        max_query_length: int = 64,
        **options: Any,
    ) -> None:
        super().__init__(dataset, vocab_path, max_seq_len, [] if dataset is None else None, **options)
        self.doc_stride, self.max_query_length = doc_stride, max_query_length

    @property
    def label_list(self) -> list[str]:
        """Reading comprehension has no label names."""
        return []

    def bind(self, context: Any) -> Any:
        """The real reader over ``context``'s tokenizer, with this reader's window options."""
        key = id(context)
        if key not in self._bound:
            from hubcore.finetune.readers.reading import ReadingComprehensionReader as Real

            length = min(self.max_seq_len, getattr(context, "max_seq_len", self.max_seq_len))
            self._bound[key] = Real(
                self.dataset,
                context.tokenizer,
                length,
                doc_stride=self.doc_stride,
                max_query_len=self.max_query_length,
            )
        return self._bound[key]


__all__ = [
    "ClassifyReader",
    "CompatReader",
    "LACClassifyReader",
    "MultiLabelClassifyReader",
    "ReadingComprehensionReader",
    "RegressionReader",
    "SequenceLabelReader",
]
