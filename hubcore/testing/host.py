"""A throwaway plugin host: the registry a test wants, not the one the environment has."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from hubcore._registry import Registry, get_registry, reset_registry
from hubcore.plugins import register_plugin, unregister_plugin

_SELECT = "HUBCORE_LOAD_PLUGINS"


@contextmanager
def plugin_host(
    *plugins: object, installed: Iterable[str] = (), dist: str = "hubcore-testing"
) -> Iterator[Registry]:
    """A registry with the built-ins, ``plugins`` and the ``installed`` distributions only.

    Every other installed plugin is hidden for the duration, so a test of a throwaway
    plugin (a module or any object with ``@hookimpl`` methods) sees exactly what it
    registers, even in an environment where the plugin under development is installed.
    Each object is registered as distribution ``dist`` (``dist-2``, ``dist-3``... for the
    others).  Everything is undone on exit, the environment variable included.
    """
    saved = os.environ.get(_SELECT)
    os.environ[_SELECT] = ",".join(installed)
    registered: list[object] = []
    try:
        for index, plugin in enumerate(plugins):
            register_plugin(plugin, dist if index == 0 else f"{dist}-{index + 1}")
            registered.append(plugin)
        reset_registry()
        yield get_registry()
    finally:
        for plugin in registered:
            unregister_plugin(plugin)
        if saved is None:
            os.environ.pop(_SELECT, None)
        else:
            os.environ[_SELECT] = saved
        reset_registry()
