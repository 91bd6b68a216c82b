"""The reading-comprehension reader: (question, context, answers) into token windows with spans.

Each example becomes one or more windows: the question's characters (at most
``max_query_len``) followed by a stretch of the context's characters, encoded with
the tokenizer's ``encode_tokens`` so that every feature position is known to come
from one question or context character.  A context longer than a window is covered
by windows that start ``doc_stride`` characters apart (PaddleHub's doc stride).  A
window's label is ``[start, end]``: the feature positions of the first answer's first
and last characters, or ``[0, 0]`` when the answer is not wholly inside the window
(PaddleHub's convention for "no answer here").

Every window is remembered in :attr:`windows` (its example, the context and the
character each feature position came from), so a task can map predicted positions
back to the context's characters and gather an example's windows.  An encoded
window carries its index there as ``window_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch

from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Tokenizer
from hubcore.finetune.data.datasets import BaseDataset, InputExample
from hubcore.finetune.data.reading import ReadingExample
from hubcore.finetune.readers.base import BaseReader

WINDOW_ID = "window_id"
RESERVED = 4  # positions left for the tokenizer's special tokens


@dataclass(frozen=True)
class Window:
    """One encoded window: which example (``serial``, unique per reader), its context, its positions."""

    serial: int
    guid: str
    context: str
    char_of_position: tuple[int, ...]  # context character per feature position, -1 elsewhere
    answers: tuple[str, ...]


class ReadingComprehensionReader(BaseReader):
    """Question-and-context windows with answer start/end positions (see the module docstring)."""

    registered_name = "reading_comprehension"

    def __init__(
        self,
        dataset: BaseDataset | None = None,
        tokenizer: Tokenizer | None = None,
        max_seq_len: int = 384,
        label_list: Sequence[str] | None = None,
        *,
        doc_stride: int = 128,
        max_query_len: int = 64,
    ) -> None:
        super().__init__(dataset, tokenizer, max_seq_len, [] if label_list is None else label_list)
        if doc_stride < 1 or max_query_len < 1:
            raise HubcoreError(
                f"doc_stride and max_query_len must be at least 1, not {doc_stride}, {max_query_len}"
            )
        self.doc_stride, self.max_query_len = doc_stride, max_query_len
        self.windows: list[Window] = []
        self._serial = 0

    def encode(self, examples: Sequence[InputExample]) -> list[dict[str, Any]]:
        """All windows of all examples, in order (an example gives one or more)."""
        return [item for example in examples for item in self._windows_of(example)]

    def _windows_of(self, example: InputExample) -> list[dict[str, Any]]:
        tokenizer = self.require_tokenizer()
        context = example.text_b or ""
        answers = list(getattr(example, "answers", None) or [])
        question = list(example.text_a)[: self.max_query_len]
        room = self.max_seq_len - len(question) - RESERVED
        if room < 1:
            raise HubcoreError(
                f"example {example.guid}: max_seq_len {self.max_seq_len} leaves no room for the context "
                f"after a {len(question)}-character question"
            )
        serial, self._serial = self._serial, self._serial + 1
        items: list[dict[str, Any]] = []
        start = 0
        while True:
            chunk = list(context[start : start + room]) or [" "]
            features, positions = tokenizer.encode_tokens(question + chunk, max_seq_len=self.max_seq_len)
            item = self.checked_features(features, example)
            if len(positions) != len(item["input_ids"]):
                raise HubcoreError(
                    f"example {example.guid}: the tokenizer's positions do not match its features"
                )
            chars = tuple(
                start + token - len(question)
                if token >= len(question) and start + token - len(question) < len(context)
                else -1
                for token in positions
            )
            if answers:
                item["labels"] = _span(chars, answers[0])
            item[WINDOW_ID] = len(self.windows)
            self.windows.append(
                Window(serial, example.guid, context, chars, tuple(text for text, _ in answers))
            )
            items.append(item)
            covered = max(chars, default=-1) + 1
            if covered >= len(context) or covered <= start:
                return items
            start = min(start + self.doc_stride, covered)

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        """The padded features and ``labels`` (B, 2), plus each window's ``window_id``."""
        batch = super().collate([{k: v for k, v in item.items() if k != WINDOW_ID} for item in encoded])
        batch[WINDOW_ID] = torch.tensor([item[WINDOW_ID] for item in encoded], dtype=torch.long)
        return batch

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)

    def text_example(self, index: int, item: Any) -> InputExample:
        """A prediction input: ``{"question": ..., "context": ...}`` or a ``[question, context]`` pair."""
        if isinstance(item, dict):
            question, context = item.get("question"), item.get("context")
        elif isinstance(item, (list, tuple)) and len(item) == 2:
            question, context = item
        else:
            question = context = None
        if not (isinstance(question, str) and isinstance(context, str) and question.strip() and context):
            raise HubcoreError(
                f"input {index}: expected {{'question': ..., 'context': ...}} or a [question, context] pair "
                f"of non-empty texts, got {item!r}"
            )
        return ReadingExample(guid=f"input-{index}", text_a=question.strip(), text_b=context)

    def options(self) -> dict[str, Any]:
        return {"doc_stride": self.doc_stride, "max_query_len": self.max_query_len}


def _span(chars: tuple[int, ...], answer: tuple[str, int]) -> list[int]:
    """Feature positions of the answer's first and last characters, or [0, 0] when not all inside."""
    text, first = answer
    last = first + len(text) - 1
    inside = [p for p, c in enumerate(chars) if first <= c <= last]
    covered = [c for c in chars if c >= 0]
    if not inside or not covered or min(covered) > first or max(covered) < last:
        return [0, 0]
    return [inside[0], inside[-1]]
