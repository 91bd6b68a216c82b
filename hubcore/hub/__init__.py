"""Module management: the index, installs, and the verified asset cache.

Names are resolved on first use, so that the CLI starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
