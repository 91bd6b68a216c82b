"""``hub.Module(...)`` as PaddleHub 1.x scripts use it, over :func:`hubcore.Module`.

The wrapper adds what PaddleHub's modules had and hubcore's spell differently: a
``context(trainable=, max_seq_len=)`` that returns PaddleHub's ``(inputs, outputs,
program)`` triple, and ``get_vocab_path()`` / ``get_spm_path()`` /
``get_word_dict_path()``.  Everything else is the real module's own attribute.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hubcore import _module as _core
from hubcore._errors import HubcoreError

if TYPE_CHECKING:
    from hubcore.finetune import ModuleContext

# The input names PaddleHub's BERT-family modules gave; scripts index them to build feed_list.
PADDLE_INPUT_NAMES = ("input_ids", "position_ids", "segment_ids", "input_mask")


@dataclass(frozen=True)
class Variable:
    """What a PaddleHub script holds in place of a fluid Variable.

    An output (``outputs["pooled_output"]``, ``outputs["sequence_output"]``) carries the
    module context it came from, so a task given it as ``feature=`` knows the encoder
    and which of its outputs to read.  An input only has a name: feeding is the
    readers' job here, so ``feed_list`` is accepted and ignored.
    """

    name: str
    shape: tuple[int, ...]
    context: ModuleContext | None = None

    @property
    def is_token_level(self) -> bool:
        """True for ``sequence_output`` (one vector per token)."""
        return len(self.shape) == 3


class CompatModule:
    """A hubcore module seen through PaddleHub 1.x's interface (see the module docstring)."""

    def __init__(self, module: Any, name: str | None) -> None:
        self._module = module
        self._name = name
        self._context: ModuleContext | None = None

    @property
    def real(self) -> Any:
        """The hubcore module underneath."""
        return self._module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def __repr__(self) -> str:
        return f"hubcore.compat.Module({self._name!r})"

    def context(
        self, trainable: bool = False, max_seq_len: int = 128, **kwargs: Any
    ) -> tuple[dict[str, Variable], dict[str, Variable], ModuleContext]:
        """``(inputs, outputs, program)``: input names, the two feature outputs, the ModuleContext.

        ``program`` (a fluid Program in PaddleHub) is the module's :class:`ModuleContext`,
        which is what hubcore's own tasks take.
        """
        make = getattr(self._module, "context", None)
        if not callable(make):
            raise HubcoreError(f"module {self._name!r} has no context(): it cannot be fine-tuned")
        if _accepts(make, "max_seq_len"):
            kwargs["max_seq_len"] = max_seq_len
        context = make(trainable=trainable, **kwargs)
        self._context = context
        inputs = {name: Variable(name, (-1, max_seq_len, 1)) for name in PADDLE_INPUT_NAMES}
        if not hasattr(context, "sentence_dim"):  # not a text encoder's context (a detector's, ...)
            return inputs, {}, context
        outputs = {
            "pooled_output": Variable("pooled_output", (-1, context.sentence_dim), context),
            "sequence_output": Variable("sequence_output", (-1, max_seq_len, context.token_dim), context),
        }
        return inputs, outputs, context

    def get_vocab_path(self) -> str | None:
        """The vocabulary file of the module's tokenizer, when it has one (after context())."""
        tokenizer = getattr(self._context, "tokenizer", None)
        for holder in (tokenizer, getattr(tokenizer, "vocab", None)):
            for attribute in ("vocab_path", "vocab_file", "path"):
                value = getattr(holder, attribute, None)
                if isinstance(value, str) or hasattr(value, "__fspath__"):
                    return str(value)
        return None

    def get_spm_path(self) -> None:
        """ERNIE Tiny's sentencepiece model in PaddleHub; the tokenizer carries its own here."""
        return None

    def get_word_dict_path(self) -> None:
        """ERNIE Tiny's word dictionary in PaddleHub; the tokenizer carries its own here."""
        return None


def _accepts(function: Any, name: str) -> bool:
    try:
        parameters = inspect.signature(function).parameters
    except (TypeError, ValueError):
        return True
    return name in parameters or any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())


def Module(  # noqa: N802 - PaddleHub's spelling
    name: str | None = None, directory: str | None = None, version: str | None = None, **kwargs: Any
) -> CompatModule:
    """``hub.Module(name=..., directory=..., version=...)``: the real module, PaddleHub-shaped."""
    module = _core.Module(name=name, directory=directory, version=version, **kwargs)
    return CompatModule(module, name or directory)
