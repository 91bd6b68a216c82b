"""Module-level ``__getattr__`` that imports a public name's private module on first use."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_getattr(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A PEP 562 ``__getattr__`` for ``package``, where ``exports`` maps name -> module.

    Modules may be relative to ``package`` (``"._task"``); importing the package
    itself stays cheap, which keeps ``hubcore`` start-up free of torch and httpx.
    """

    def resolve(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(exports[name], package), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    return resolve
