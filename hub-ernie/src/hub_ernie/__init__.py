"""ERNIE and BERT-family semantic models for hubcore.

Importing this package is cheap: torch and transformers are imported only when a
module is built (see :mod:`hub_ernie.module`).
"""

from __future__ import annotations

__version__ = "0.1.0"
