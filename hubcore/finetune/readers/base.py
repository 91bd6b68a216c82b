"""Readers: examples to padded tensor batches, with the module's own tokenizer.

A reader splits the work in three steps that a training loop can call apart:
``encode`` (examples to per-example feature dicts, done once per split and
cached), ``collate`` (a list of those dicts to one padded batch of tensors) and
``batches`` (both, in seeded order).  ``to_config``/``from_config`` save and
rebuild a reader without its data set, so a saved model can predict in a new
process.

Encoded example: every feature the tokenizer returns (lists of ints of one
length) plus, when the example is labelled, ``"labels"``: an ``int`` for
classification, a ``float`` for regression, a multi-hot ``list[float]`` for
multi-label, and for sequence labelling a ``list[int]`` aligned to the feature
positions with :data:`IGNORE_INDEX` at special tokens and at the later pieces of
a token split into several.

Batch: each feature padded to the longest example with
``tokenizer.pad_values.get(name, 0)`` (long tensors), ``"attention_mask"``
(1 real, 0 padding) and ``"labels"`` when every example has one (sequence labels
padded with :data:`IGNORE_INDEX`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import torch

from hubcore._entry import load_entry
from hubcore._errors import HubcoreError
from hubcore.finetune.contract import Tokenizer
from hubcore.finetune.data.datasets import PHASES, BaseDataset, InputExample

IGNORE_INDEX = -100  # label of positions the loss skips (torch's cross-entropy default)
CONFIG_VERSION = 1


def batch_indices(
    size: int, batch_size: int, *, shuffle: bool = False, seed: int = 0, drop_last: bool = False
) -> Iterator[list[int]]:
    """Example indices batch by batch, in a permutation seeded by ``seed`` when shuffling."""
    if batch_size < 1:
        raise HubcoreError(f"batch_size must be at least 1, not {batch_size}")
    order = list(range(size))
    if shuffle:
        order = torch.randperm(size, generator=torch.Generator().manual_seed(seed)).tolist()
    for start in range(0, size, batch_size):
        chosen = order[start : start + batch_size]
        if drop_last and len(chosen) < batch_size:
            return
        yield chosen


class BaseReader:
    """Turns a data set's examples into batches for one kind of task.

    ``dataset`` may be None for a reader that only encodes new texts (prediction);
    then ``label_list`` must be given.  Subclasses implement :meth:`encode_example`
    and :meth:`collate_labels`, and list their extra constructor options in
    :meth:`options` so that :meth:`to_config` saves them; :meth:`require_tokenizer`,
    :meth:`checked_features` and :meth:`label_id` help them do it.
    """

    #: the name the reader is registered under (``hubcore_register_readers``)
    registered_name: ClassVar[str] = ""

    def __init__(
        self,
        dataset: BaseDataset | None = None,
        tokenizer: Tokenizer | None = None,
        max_seq_len: int = 128,
        label_list: Sequence[str] | None = None,
    ) -> None:
        if max_seq_len < 1:
            raise HubcoreError(f"max_seq_len must be at least 1, not {max_seq_len}")
        if label_list is None:
            if dataset is None:
                raise HubcoreError(f"{type(self).__name__} needs a data set or a label_list")
            label_list = dataset.get_labels()
        self.dataset = dataset
        self.tokenizer = tokenizer
        self.max_seq_len = max_seq_len
        self._label_list = list(label_list)
        self._label_ids = {label: index for index, label in enumerate(self._label_list)}
        self._encoded: dict[str, list[dict[str, Any]]] = {}

    @property
    def label_list(self) -> list[str]:
        """Label names; a label's id is its index."""
        return list(self._label_list)

    # -- examples and encoding --------------------------------------------------------

    def examples(self, phase: str) -> list[InputExample]:
        """The data set's examples of ``phase`` (``train``, ``dev`` or ``test``)."""
        if phase not in PHASES:
            raise HubcoreError(f"unknown phase {phase!r}: expected one of {', '.join(PHASES)}")
        if self.dataset is None:
            raise HubcoreError(
                f"{type(self).__name__} was built without a data set; it can only encode texts"
            )
        return self.dataset.get_examples(phase)

    def encode(self, examples: Sequence[InputExample]) -> list[dict[str, Any]]:
        """Per-example features (see the module docstring for their shape)."""
        return [self.encode_example(example) for example in examples]

    def encode_texts(self, data: Sequence[str] | Sequence[Sequence[str]]) -> list[dict[str, Any]]:
        """Encode unlabelled input for prediction: texts, or ``[text_a, text_b]`` pairs."""
        return self.encode([self.text_example(index, item) for index, item in enumerate(data)])

    def encoded(self, phase: str) -> list[dict[str, Any]]:
        """The encoded examples of ``phase``, computed once and kept."""
        if phase not in self._encoded:
            self._encoded[phase] = self.encode(self.examples(phase))
        return self._encoded[phase]

    # -- batching -------------------------------------------------------------------------

    def collate(self, encoded: Sequence[dict[str, Any]]) -> dict[str, torch.Tensor]:
        """One padded batch of tensors from encoded examples."""
        if not encoded:
            raise HubcoreError("cannot collate an empty batch")
        names = [name for name in encoded[0] if name != "labels"]
        batch: dict[str, torch.Tensor] = {}
        for name in names:
            values = [item[name] for item in encoded]
            if isinstance(values[0], torch.Tensor):
                batch[name] = torch.stack(values)
            else:
                batch[name] = pad_rows([list(v) for v in values], self.pad_value(name), torch.long)
        if "input_ids" in batch and "attention_mask" not in batch:
            lengths = torch.tensor([len(item["input_ids"]) for item in encoded])
            positions = torch.arange(batch["input_ids"].shape[1])
            batch["attention_mask"] = (positions[None, :] < lengths[:, None]).long()
        labelled = ["labels" in item for item in encoded]
        if all(labelled):
            batch["labels"] = self.collate_labels([item["labels"] for item in encoded])
        elif any(labelled):
            raise HubcoreError("a batch mixes labelled and unlabelled examples")
        return batch

    def batches(
        self, phase: str, batch_size: int, shuffle: bool = False, seed: int = 0, drop_last: bool = False
    ) -> Iterator[dict[str, torch.Tensor]]:
        """Batches of ``phase``; shuffled with a ``torch.Generator`` seeded by ``seed``."""
        items = self.encoded(phase)
        for chosen in batch_indices(len(items), batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last):
            yield self.collate([items[index] for index in chosen])

    # -- saving and rebuilding ------------------------------------------------------------

    def to_config(self) -> dict[str, Any]:
        """A JSON-ready description from which :meth:`from_config` rebuilds this reader."""
        cls = type(self)
        return {
            "reader": cls.__name__,
            "entry": f"{cls.__module__}:{cls.__qualname__}",
            "version": CONFIG_VERSION,
            "max_seq_len": self.max_seq_len,
            "label_list": self.label_list,
            "options": self.options(),
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], tokenizer: Tokenizer | None = None) -> BaseReader:
        """Rebuild a saved reader (without its data set) for prediction."""
        try:
            max_seq_len, label_list = config["max_seq_len"], config["label_list"]
        except (KeyError, TypeError):
            raise HubcoreError("not a reader config: it needs 'max_seq_len' and 'label_list'") from None
        entry = config.get("entry")
        target: Any = cls if entry is None else _registered_reader(entry, cls)
        if not (isinstance(target, type) and issubclass(target, BaseReader)):
            raise HubcoreError(f"reader config names {entry!r}, which is not a reader class")
        if not issubclass(target, cls):
            raise HubcoreError(f"reader config names {target.__name__}, not a {cls.__name__}")
        return target.from_options(tokenizer, max_seq_len, label_list, dict(config.get("options", {})))

    @classmethod
    def from_options(
        cls, tokenizer: Tokenizer | None, max_seq_len: int, label_list: list[str], options: dict[str, Any]
    ) -> BaseReader:
        return cls(None, tokenizer, max_seq_len=max_seq_len, label_list=label_list, **options)

    # -- for subclasses ---------------------------------------------------------------

    def options(self) -> dict[str, Any]:
        """Extra constructor keyword arguments, JSON-ready, that :meth:`to_config` saves."""
        return {}

    def encode_example(self, example: InputExample) -> dict[str, Any]:
        """One example's feature lists (the tokenizer's), plus ``"labels"`` when it is labelled."""
        raise NotImplementedError(f"{type(self).__name__} must implement encode_example()")

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        """A batch's ``"labels"`` values as one tensor."""
        raise NotImplementedError(f"{type(self).__name__} must implement collate_labels()")

    def text_example(self, index: int, item: str | Sequence[str]) -> InputExample:
        if isinstance(item, str):
            return InputExample(guid=f"input-{index}", text_a=item)
        parts = list(item)
        if len(parts) not in (1, 2) or not all(isinstance(part, str) for part in parts):
            raise HubcoreError(f"input {index}: expected a text or a [text_a, text_b] pair, got {item!r}")
        return InputExample(
            guid=f"input-{index}", text_a=parts[0], text_b=parts[1] if len(parts) == 2 else None
        )

    def label_id(self, example: InputExample, label: str) -> int:
        """The id of ``label`` (its index in the label list), or an error naming the example."""
        try:
            return self._label_ids[label]
        except KeyError:
            raise HubcoreError(
                f"example {example.guid}: label {label!r} is not in the label list {self._label_list}"
            ) from None

    def require_tokenizer(self) -> Tokenizer:
        """The tokenizer, or an error saying this reader needs one (the module context's)."""
        if self.tokenizer is None:
            raise HubcoreError(f"{type(self).__name__} needs a tokenizer (the module context's)")
        return self.tokenizer

    def pad_value(self, name: str) -> int:
        pad_values = getattr(self.tokenizer, "pad_values", None) or {}
        return int(pad_values.get(name, 0))

    def checked_features(self, features: dict[str, list[int]], example: InputExample) -> dict[str, Any]:
        """The tokenizer's ``features``, checked: ``input_ids`` there, all lists one length, none too long."""
        lengths = {len(values) for values in features.values()}
        if len(lengths) != 1 or next(iter(lengths)) > self.max_seq_len or "input_ids" not in features:
            raise HubcoreError(
                f"example {example.guid}: the tokenizer returned features {sorted(features)} of lengths "
                f"{sorted(lengths)}; expected input_ids and equal lengths of at most {self.max_seq_len}"
            )
        return dict(features)


def _registered_reader(entry: Any, cls: type) -> Any:
    """The class a config's ``entry`` names: ``cls`` itself or a registered reader, never imported from it."""
    if entry == f"{cls.__module__}:{cls.__qualname__}":
        return cls
    from hubcore._registry import get_registry

    for spec in get_registry().components["reader"].values():
        if spec.entry == entry:
            return load_entry(spec.entry, owner=f"reader {spec.name!r}")
    raise HubcoreError(
        f"reader config names {entry!r}, which is not a reader class registered through the hooks "
        "(a config's entry is never imported)"
    )


def first_pieces(positions: Sequence[int]) -> list[int | None]:
    """Per position: its token index if it is the token's first piece, else None."""
    seen: set[int] = set()
    firsts: list[int | None] = []
    for token in positions:
        if token < 0 or token in seen:
            firsts.append(None)
        else:
            seen.add(token)
            firsts.append(token)
    return firsts


def pad_rows(rows: list[list[Any]], value: int, dtype: torch.dtype) -> torch.Tensor:
    width = max((len(row) for row in rows), default=0)
    out = torch.full((len(rows), width), value, dtype=dtype)
    for index, row in enumerate(rows):
        if row:
            out[index, : len(row)] = torch.tensor(row, dtype=dtype)
    return out
