"""Registers the example module; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable

from hub_example import __version__
from hubcore import ComponentSpec, ModuleSpec, ServingSpec, hookimpl

# The Fine-tune pieces live in hub_example.finetune (torch); named here as strings, imported on use.
_FINETUNE = "hub_example.finetune"


@hookimpl
def hubcore_register_modules(register: Callable[[ModuleSpec], None]) -> None:
    register(
        ModuleSpec(
            name="example",
            version=__version__,
            entry="hub_example.module:Module",
            command="hub_example.cli:command",
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
            name="example_classifier",
            entry=f"{_FINETUNE}:CentroidClassifierTask",
            summary="one label per text from the pooled vector (the example plugin's own task)",
        )
    )


@hookimpl
def hubcore_register_readers(register: Callable[[ComponentSpec], None]) -> None:
    register(
        ComponentSpec(
            name="example_lowercase",
            entry=f"{_FINETUNE}:LowercaseReader",
            summary="text classification, lowercasing each text first",
        )
    )


@hookimpl
def hubcore_register_strategies(register: Callable[[ComponentSpec], None]) -> None:
    register(
        ComponentSpec(
            name="example_sgd",
            entry=f"{_FINETUNE}:PlainSGDStrategy",
            summary="SGD at a constant rate, the encoder slower than the head",
        )
    )
