"""The ``hubcore`` command line: core commands plus those plugins add."""

from __future__ import annotations

from hubcore.cli._main import cli, main

__all__ = ["cli", "main"]
