"""Discover plugins through entry points, loading each in isolation.

pluggy's own entry-point loader lets one failing import abort all the others,
so every plugin is imported, checked and called inside its own ``try``.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import pluggy
from packaging.requirements import InvalidRequirement, Requirement

from hubcore import hookspecs
from hubcore._version import __version__

ENTRY_POINT_GROUP = "hubcore"
BUILTIN_PLUGINS = (
    "hubcore.finetune.registration",
    "hubcore.cli._plugin",
)
BUILTIN_NAME = "hubcore"
SLOW_START_SECONDS = 3.0  # above this, start-up names HUBCORE_LOAD_PLUGINS (HUBCORE_SLOW_PLUGINS_SECONDS)

# Plugin objects registered in-process (a notebook's or a script's own task), as (object, distribution).
_in_process: list[tuple[object, str]] = []


@dataclass
class PluginRecord:
    """One plugin distribution as ``hubcore plugins list`` shows it."""

    name: str
    version: str
    hooks: list[str] = field(default_factory=list)
    modules: list[str] = field(default_factory=list)
    error: str | None = None
    requires_hubcore: str | None = None
    load_seconds: float = 0.0  # importing the plugin and running its registration hooks

    def to_dict(self, *, timings: bool = False) -> dict[str, Any]:
        """The JSON shape: name, version, hooks, modules, error (and load_seconds with ``timings``)."""
        shape: dict[str, Any] = {
            "name": self.name,
            "version": self.version,
            "hooks": sorted(self.hooks),
            "modules": sorted(self.modules),
            "error": self.error,
        }
        if timings:
            shape["load_seconds"] = round(self.load_seconds, 4)
        return shape


class PluginHost:
    """A pluggy manager plus what was learnt while loading each plugin."""

    def __init__(self) -> None:
        self.manager = pluggy.PluginManager(ENTRY_POINT_GROUP)
        self.manager.add_hookspecs(hookspecs)
        self.records: dict[str, PluginRecord] = {}
        self.warned_slow = False

    def load_builtins(self) -> None:
        """Register the core's own features through the same hooks as third parties."""
        record = self.records.setdefault(BUILTIN_NAME, PluginRecord(BUILTIN_NAME, __version__))
        for module_name in BUILTIN_PLUGINS:
            started = time.perf_counter()
            try:
                self.manager.register(importlib.import_module(module_name), name=module_name)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # a broken built-in must not break the hub either
                record.error = _describe(exc)
            record.load_seconds += time.perf_counter() - started

    def load_entry_points(self, selected: set[str] | None) -> None:
        """Load every ``hubcore`` entry point, or only those of ``selected`` distributions."""
        for entry_point in sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=_sort_key):
            dist = entry_point.dist
            dist_name = dist.name if dist is not None else entry_point.name
            if selected is not None and canonicalize_name(dist_name) not in selected:
                continue
            record = self.records.get(dist_name)
            if record is None:
                record = PluginRecord(dist_name, dist.version if dist is not None else "")
                self.records[dist_name] = record
                record.requires_hubcore = _hubcore_requirement(dist)
                if record.requires_hubcore is not None and not _compatible(record.requires_hubcore):
                    record.error = (
                        f"needs hubcore{record.requires_hubcore}, but hubcore {__version__} "
                        "is installed; not loaded"
                    )
            if record.error is not None:
                continue
            started = time.perf_counter()
            try:
                plugin = entry_point.load()
                self.manager.register(plugin, name=f"{dist_name}:{entry_point.name}")
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit too: a plugin must not end the user's command
                record.error = _describe(exc)
            record.load_seconds += time.perf_counter() - started

    def register(self, plugin: object, dist: str, version: str = "") -> None:
        """Register a plugin object directly, as if distribution ``dist`` provided it."""
        self.records.setdefault(dist, PluginRecord(dist, version))
        self.manager.register(plugin, name=f"{dist}:{getattr(plugin, '__name__', type(plugin).__name__)}")

    def distribution_of(self, plugin_name: str) -> str:
        """The distribution that a registered plugin object belongs to."""
        if plugin_name in BUILTIN_PLUGINS:
            return BUILTIN_NAME
        return plugin_name.partition(":")[0]

    def implementations(self, hook_name: str) -> list[tuple[str, Callable[..., Any]]]:
        """Each implementation of ``hook_name``, in registration order, with its distribution.

        Callers invoke them one by one, so that one raising leaves the others intact.
        Each returned callable takes the hook's arguments as keywords and passes on
        only those the implementation asks for.
        """
        hook = getattr(self.manager.hook, hook_name)
        found = []
        for impl in hook.get_hookimpls():  # registration order
            dist = self.distribution_of(self.manager.get_name(impl.plugin) or "")
            hooks = self.records[dist].hooks
            if hook_name not in hooks:
                hooks.append(hook_name)
            found.append((dist, _accepting(impl.function, tuple(impl.argnames))))
        return found

    def fail(self, dist: str, message: str) -> None:
        """Record that a plugin broke after loading; the first error is kept."""
        record = self.records[dist]
        if record.error is None:
            record.error = message

    def slow_start_message(self) -> str | None:
        """A warning naming HUBCORE_LOAD_PLUGINS and the slowest plugins when loading took long."""
        total = sum(record.load_seconds for record in self.records.values())
        if total <= _slow_threshold():
            return None
        slowest = sorted(self.records.values(), key=lambda r: r.load_seconds, reverse=True)[:3]
        named = ", ".join(f"{r.name} {r.load_seconds:.1f} s" for r in slowest)
        return (
            f"loading plugins took {total:.1f} s (slowest: {named}); set HUBCORE_LOAD_PLUGINS to the "
            "plugins you need (comma-separated, empty for none) and see `hubcore plugins list --timings`"
        )


def register_plugin(plugin: object, dist: str) -> None:
    """Register a plugin object in this process, as if distribution ``dist`` were installed.

    For components that live in a script or a notebook rather than in a package: the
    object's ``hubcore_register_*`` hooks are called like an installed plugin's, now and
    after every :func:`hubcore.reset_registry`.  Code must still be importable under the
    entries it registers to be rebuilt in another process.
    """
    from hubcore._registry import reset_registry

    if not any(existing is plugin for existing, _ in _in_process):
        _in_process.append((plugin, dist))
    reset_registry()


def unregister_plugin(plugin: object) -> None:
    """Undo :func:`register_plugin`."""
    from hubcore._registry import reset_registry

    _in_process[:] = [(p, d) for p, d in _in_process if p is not plugin]
    reset_registry()


def selected_plugins() -> set[str] | None:
    """Distributions named by ``HUBCORE_LOAD_PLUGINS``: None for all, empty for none."""
    raw = os.environ.get("HUBCORE_LOAD_PLUGINS")
    if raw is None:
        return None
    return {canonicalize_name(name) for name in raw.split(",") if name.strip()}


def load_plugins() -> PluginHost:
    """A host with the built-in plugins and the selected third-party ones loaded."""
    host = PluginHost()
    host.load_builtins()
    host.load_entry_points(selected_plugins())
    for plugin, dist in _in_process:
        try:
            host.register(plugin, dist)
        except Exception as exc:  # pluggy refuses a malformed hook implementation
            host.fail(dist, _describe(exc))
    return host


def canonicalize_name(name: str) -> str:
    """PEP 503 normalisation, so ``Hub_LAC`` selects ``hub-lac`` (packaging's, as pip's)."""
    from packaging.utils import canonicalize_name as canonical

    return str(canonical(name))


def _accepting(function: Callable[..., Any], argnames: tuple[str, ...]) -> Callable[..., Any]:
    def call(**kwargs: Any) -> Any:
        return function(**{name: kwargs[name] for name in argnames})

    return call


def _sort_key(entry_point: metadata.EntryPoint) -> tuple[str, str]:
    dist = entry_point.dist
    return (dist.name if dist is not None else "", entry_point.name)


def _hubcore_requirement(dist: metadata.Distribution | None) -> str | None:
    for line in (dist.requires or []) if dist is not None else []:
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == "hubcore" and (
            requirement.marker is None or requirement.marker.evaluate({"extra": ""})
        ):
            return str(requirement.specifier)
    return None


def _compatible(specifier: str) -> bool:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(specifier).contains(__version__, prereleases=True)


def _slow_threshold() -> float:
    raw = os.environ.get("HUBCORE_SLOW_PLUGINS_SECONDS", "").strip()
    try:
        return float(raw) if raw else SLOW_START_SECONDS
    except ValueError:
        return SLOW_START_SECONDS


def warn_if_slow(host: PluginHost) -> None:
    """Tell the user on stderr (once per host) that start-up was slow, and what to do about it."""
    message = host.slow_start_message()
    if message is not None and not host.warned_slow:
        host.warned_slow = True
        print(f"hubcore: warning: {message}", file=sys.stderr)


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f" ({frame[0].filename}:{frame[0].lineno})" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
