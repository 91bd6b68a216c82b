"""Registers ``style_transfer_26``; imported at hub start-up, so it imports nothing heavy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_style import __version__
from hubcore import ModuleSpec, hookimpl


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
        )
    )
