"""Registers the ``lac`` module; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_lac import __version__
from hubcore import ModuleSpec, ServingSpec, hookimpl


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    register(
        ModuleSpec(
            name="lac",
            version=__version__,
            entry="hub_lac.module:LAC",
            command="hub_lac.cli:command",
            summary="Baidu LAC: Chinese segmentation, POS and entity tags, word importance (lac/seg/rank).",
            author="Baidu (model), hubcore developers (port)",
            type="nlp/lexical_analysis",
            aliases=("lexical_analysis",),
            requires_hubcore=">=0.1",
            keywords=("chinese", "segmentation", "pos", "ner", "lac", "bigru", "crf"),
            license="Apache-2.0",
            # PaddleHub Serving's request {"text": [...]}; concurrent requests share one batch.
            serving=ServingSpec(
                method="lexical_analysis",
                inputs={"text": "texts"},
                options=("return_tag",),
                batch_size_arg="batch_size",
                max_batch_size=64,
                max_wait_ms=5,
            ),
        )
    )
