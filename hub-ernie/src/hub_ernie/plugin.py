"""Registers the ERNIE/BERT modules; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_ernie import __version__
from hub_ernie._catalog import available_checkpoints
from hubcore import ModuleSpec, ServingSpec, hookimpl


def attribute_name(module_name: str) -> str:
    """The Python name of a module's factory and command: ``ernie-3.0-base-zh`` -> ``ernie_3_0_base_zh``."""
    return module_name.replace("-", "_").replace(".", "_")


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    for checkpoint in available_checkpoints():
        attribute = attribute_name(checkpoint.name)
        register(
            ModuleSpec(
                name=checkpoint.name,
                version=__version__,
                entry=f"hub_ernie.module:{attribute}",
                command=f"hub_ernie.cli:{attribute}",
                summary=f"{checkpoint.summary} Weights: {checkpoint.source}.",
                author="hub-ernie developers",
                type="nlp/semantic_model",
                aliases=checkpoint.aliases,
                requires_hubcore=">=0.1",
                keywords=checkpoint.keywords,
                license=checkpoint.license,
                # {"text": [...]} (a text or a [text_a, text_b] pair each) -> [sentence, tokens] each.
                serving=ServingSpec(
                    method="get_embedding",
                    inputs={"text": "texts"},
                    options=("max_seq_len",),
                    batch_size_arg="batch_size",
                    max_batch_size=32,
                ),
            )
        )
