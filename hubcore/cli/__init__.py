"""The ``hubcore`` command line: core commands plus those plugins add."""

from __future__ import annotations

from hubcore.cli._main import build_cli, main

__all__ = ["build_cli", "main"]
