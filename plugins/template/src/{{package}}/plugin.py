"""Registers the {{name}} module; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from {{package}} import __version__
from hubcore import ModuleSpec, ServingSpec, hookimpl


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
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
