"""hubcore: a pretrained-model hub for PyTorch, extended by plugins.

Importing hubcore is cheap: the Fine-tune API (``hubcore.BasicTask`` and friends)
and module management are loaded on first attribute access, and no model code
runs until ``Module(...)`` builds one.
"""

from __future__ import annotations

import importlib
from typing import Any

from hubcore import finetune as _finetune
from hubcore import hub as _hub
from hubcore._entry import load_entry
from hubcore._errors import EntryLoadError, HubcoreError, UnknownNameError, VersionMismatchError
from hubcore._module import Module, get_component_spec, get_module_spec, list_modules, load_component
from hubcore._registry import Conflict, Registry, get_registry, reset_registry
from hubcore._specs import Asset, ComponentSpec, ModuleSpec, SpecError
from hubcore._version import __version__
from hubcore.hookspecs import hookimpl

_CORE = [
    "Asset",
    "ComponentSpec",
    "Conflict",
    "EntryLoadError",
    "HubcoreError",
    "Module",
    "ModuleSpec",
    "Registry",
    "SpecError",
    "UnknownNameError",
    "VersionMismatchError",
    "__version__",
    "get_component_spec",
    "get_module_spec",
    "get_registry",
    "hookimpl",
    "list_modules",
    "load_component",
    "load_entry",
    "reset_registry",
]
_LAZY = {name: "hubcore.finetune" for name in _finetune.__all__} | {
    name: "hubcore.hub" for name in _hub.__all__
}

__all__ = sorted([*_CORE, *_LAZY])


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'hubcore' has no attribute {name!r}")
