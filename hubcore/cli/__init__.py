"""The ``hubcore`` command line: core commands plus those plugins add.

Names are resolved on first use, so that loading the built-in plugin that registers the
hub's commands (``hubcore.cli._plugin``) does not import click for library users.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hubcore._lazy import lazy_getattr

if TYPE_CHECKING:
    from hubcore.cli._main import build_cli, main

__all__ = ["build_cli", "main"]

__getattr__ = lazy_getattr(__name__, {"build_cli": "._main", "main": "._main"})
