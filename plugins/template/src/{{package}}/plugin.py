"""Registers the {{name}} module; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable

from {{package}} import __version__
from hubcore import ComponentSpec, ModuleSpec, ServingSpec, hookimpl

# The Fine-tune pieces live in {{package}}.finetune (torch); named here as strings, imported on use.
_FINETUNE = "{{package}}.finetune"


@hookimpl
def hubcore_register_modules(register: Callable[[ModuleSpec], None]) -> None:
    register(
        ModuleSpec(
            name="{{name}}",
            version=__version__,
            entry="{{package}}.module:Module",
            command="{{package}}.cli:command",
            summary="Counts the characters and words of a text (a template to start from).",
            author="you",
            type="nlp/text_statistics",
            requires_hubcore=">=0.1",
            keywords=("example", "template"),
            license="Apache-2.0",
            # `hubcore serving start -m NAME`: POST {"text": [...]} calls predict(texts=[...]).
            serving=ServingSpec(method="predict", inputs={"text": "texts"}),
        )
    )


@hookimpl
def hubcore_register_tasks(register: Callable[[ComponentSpec], None]) -> None:
    register(
        ComponentSpec(
            name="{{name}}_classifier",
            entry=f"{_FINETUNE}:CentroidClassifierTask",
            summary="one label per text from the pooled vector (the {{name}} plugin's own task)",
        )
    )


@hookimpl
def hubcore_register_readers(register: Callable[[ComponentSpec], None]) -> None:
    register(
        ComponentSpec(
            name="{{name}}_lowercase",
            entry=f"{_FINETUNE}:LowercaseReader",
            summary="text classification, lowercasing each text first",
        )
    )


@hookimpl
def hubcore_register_strategies(register: Callable[[ComponentSpec], None]) -> None:
    register(
        ComponentSpec(
            name="{{name}}_sgd",
            entry=f"{_FINETUNE}:PlainSGDStrategy",
            summary="SGD at a constant rate, the encoder slower than the head",
        )
    )
