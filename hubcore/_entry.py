"""Resolve the lazy ``"package.module:attribute"`` strings that specs carry."""

from __future__ import annotations

import importlib
from typing import Any

from hubcore._errors import EntryLoadError


def load_entry(entry: str, *, owner: str = "") -> Any:
    """Import the module named before the colon and return the attribute after it."""
    module_name, _, attribute = entry.partition(":")
    where = f" for {owner}" if owner else ""
    try:
        target: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            target = getattr(target, part)
    except (ImportError, AttributeError) as exc:
        raise EntryLoadError(f"cannot load {entry!r}{where}: {exc}") from exc
    return target
