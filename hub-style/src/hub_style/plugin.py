"""Registers ``style_transfer_26``; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_style import __version__
from hubcore import ModuleSpec, ServingSpec, hookimpl


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    register(
        ModuleSpec(
            name="style_transfer_26",
            version=__version__,
            entry="hub_style.module:StyleTransfer26",
            command="hub_style.cli:command",
            summary="Fast style transfer: 26 blendable painting styles (Dumoulin et al., Magenta weights).",
            author="Dumoulin, Shlens, Kudlur / Magenta (model), hubcore developers (port)",
            type="cv/style_transfer",
            aliases=("multistyle26", "image_generation_style26"),
            requires_hubcore=">=0.1",
            keywords=(
                "style",
                "style transfer",
                "painting",
                "artistic",
                "image generation",
                "magenta",
                "vision",
            ),
            license="Apache-2.0",
            # A picture per image, answered as a base64 PNG (PaddleHub Serving sent base64 too).
            serving=ServingSpec(
                method="style_transfer_base64",
                inputs={"images": "images"},
                images=("images",),
                options=("style", "max_side"),
                fixed={"visualization": False},
                max_batch_size=4,
                max_wait_ms=10,
            ),
        )
    )
