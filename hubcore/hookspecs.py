"""The hooks a hubcore plugin implements.

Each hook receives a ``register`` callback instead of returning values, so new
arguments can be added later without breaking existing plugins.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pluggy

from hubcore._specs import ComponentSpec, ModuleSpec

if TYPE_CHECKING:
    import click

hookspec = pluggy.HookspecMarker("hubcore")
hookimpl = pluggy.HookimplMarker("hubcore")


@hookspec
def hubcore_register_modules(register: Callable[[ModuleSpec], None]) -> None:
    """Register pretrained modules: ``register(ModuleSpec(...))``."""


@hookspec
def hubcore_register_datasets(register: Callable[[ComponentSpec], None]) -> None:
    """Register data sets: ``register(ComponentSpec(...))``."""


@hookspec
def hubcore_register_readers(register: Callable[[ComponentSpec], None]) -> None:
    """Register data readers: ``register(ComponentSpec(...))``."""


@hookspec
def hubcore_register_tasks(register: Callable[[ComponentSpec], None]) -> None:
    """Register fine-tune tasks: ``register(ComponentSpec(...))``."""


@hookspec
def hubcore_register_strategies(register: Callable[[ComponentSpec], None]) -> None:
    """Register fine-tune strategies: ``register(ComponentSpec(...))``."""


@hookspec
def hubcore_register_commands(cli: click.Group) -> None:
    """Add click commands to the ``hubcore`` command group ``cli``."""
