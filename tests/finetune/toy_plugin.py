"""The tiny training modules of hubcore.testing.toy_modules, registered as a plugin would register them.

A saved model names only registered modules, so the training tests register the toys through
the hooks: in-process with ``install()``, which also works in the subprocess scripts some tests
run (they put this folder on ``sys.path`` first).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import hubcore
from hubcore import ComponentSpec, ModuleSpec, hookimpl

DIST = "hubcore-test-toys"
MODULES = (
    ModuleSpec(
        name="toy_text",
        version="0.0.1",
        entry="hubcore.testing.toy_modules:ToyTextModule",
        summary="a tiny random text encoder for the training tests",
    ),
    ModuleSpec(
        name="toy_image",
        version="0.0.1",
        entry="hubcore.testing.toy_modules:ToyImageModule",
        summary="a tiny random CNN for the training tests",
    ),
)


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    for spec in MODULES:
        register(spec)


class TaskPlugin:
    """Registers a test's own task classes (module-level classes) under the given names."""

    def __init__(self, tasks: dict[str, type]) -> None:
        self.tasks = tasks

    @hookimpl
    def hubcore_register_tasks(self, register: Callable[[Any], None]) -> None:
        for name, cls in self.tasks.items():
            register(ComponentSpec(name=name, entry=f"{cls.__module__}:{cls.__qualname__}"))


def install() -> None:
    """Register the toy modules in this process."""
    hubcore.register_plugin(sys.modules[__name__], DIST)


def uninstall() -> None:
    hubcore.unregister_plugin(sys.modules[__name__])
