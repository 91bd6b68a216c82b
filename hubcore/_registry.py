"""Collect what every plugin registers, and report clashes between them."""

from __future__ import annotations

import difflib
import fnmatch
import functools
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Literal

from hubcore._errors import HubcoreError, UnknownNameError, VersionMismatchError
from hubcore._specs import ComponentSpec, ModuleSpec
from hubcore.plugins import PluginHost, PluginRecord, load_plugins

ComponentKind = Literal["dataset", "reader", "task", "strategy"]
COMPONENT_HOOKS: dict[ComponentKind, str] = {
    "dataset": "hubcore_register_datasets",
    "reader": "hubcore_register_readers",
    "task": "hubcore_register_tasks",
    "strategy": "hubcore_register_strategies",
}


@dataclass(frozen=True)
class Conflict:
    """Two plugins registered the same name; the first one registered is kept."""

    kind: str
    name: str
    kept: str
    ignored: str

    def __str__(self) -> str:
        return (
            f"{self.kind} {self.name!r} is registered by both {self.kept!r} and "
            f"{self.ignored!r}; using {self.kept!r}"
        )


@dataclass
class Registry:
    """Every module and component the loaded plugins registered."""

    host: PluginHost
    modules: dict[str, ModuleSpec] = field(default_factory=dict)
    components: dict[str, dict[str, ComponentSpec]] = field(
        default_factory=lambda: {kind: {} for kind in COMPONENT_HOOKS}
    )
    conflicts: list[Conflict] = field(default_factory=list)
    # module name or alias -> why it was not registered (its requires_hubcore excludes this hubcore)
    refused: dict[str, str] = field(default_factory=dict)
    _by_name: dict[str, ModuleSpec] = field(default_factory=dict)

    @property
    def plugins(self) -> list[PluginRecord]:
        """Plugin distributions in name order, the core's built-ins first."""
        records = self.host.records.values()
        return sorted(records, key=lambda r: (r.name != "hubcore", r.name.lower()))

    def module(self, name: str) -> ModuleSpec:
        """The spec registered under a module name or alias."""
        spec = self._by_name.get(name)
        if spec is None:
            if name in self.refused:
                raise VersionMismatchError(self.refused[name])
            raise UnknownNameError(_unknown("module", name, list(self._by_name)))
        return spec

    def component(self, kind: ComponentKind, name: str) -> ComponentSpec:
        """The spec of a data set, reader, task or strategy."""
        found = self.components[kind].get(name)
        if found is None:
            raise UnknownNameError(_unknown(kind, name, list(self.components[kind])))
        return found

    def find_modules(self, pattern: str = "*") -> list[ModuleSpec]:
        """Modules whose name or an alias matches an fnmatch pattern, by name."""
        return [
            spec
            for name, spec in sorted(self.modules.items())
            if any(fnmatch.fnmatchcase(n, pattern) for n in spec.names)
        ]

    def find_components(self, kind: ComponentKind, pattern: str = "*") -> list[ComponentSpec]:
        """Data sets, readers, tasks or strategies whose name matches an fnmatch pattern, by name."""
        if kind not in self.components:
            raise HubcoreError(f"unknown component kind {kind!r}: one of {', '.join(COMPONENT_HOOKS)}")
        return [
            spec for name, spec in sorted(self.components[kind].items()) if fnmatch.fnmatchcase(name, pattern)
        ]

    def _add_module(self, dist: str, spec: Any) -> None:
        if not isinstance(spec, ModuleSpec):
            raise HubcoreError(f"register() expects a ModuleSpec, got {type(spec).__name__}")
        spec = spec.with_plugin(dist)
        refusal = _hubcore_refusal(spec)
        if refusal is not None:
            for name in spec.names:
                self.refused.setdefault(name, refusal)
            return
        taken = [n for n in spec.names if n in self._by_name]
        if taken:
            owner = self._by_name[taken[0]].plugin
            self.conflicts.append(Conflict("module", taken[0], owner, dist))
            return
        self.modules[spec.name] = spec
        for name in spec.names:
            self._by_name[name] = spec
        self.host.records[dist].modules.append(spec.name)

    def _add_component(self, kind: ComponentKind, dist: str, spec: Any) -> None:
        if not isinstance(spec, ComponentSpec):
            raise HubcoreError(f"register() expects a ComponentSpec, got {type(spec).__name__}")
        table = self.components[kind]
        if spec.name in table:
            self.conflicts.append(Conflict(kind, spec.name, table[spec.name].plugin, dist))
            return
        table[spec.name] = spec.with_plugin(dist)


def build_registry(host: PluginHost) -> Registry:
    """Call every registration hook, each implementation on its own.

    A plugin is all or nothing: its specs are buffered until every hook of every plugin
    has run, and a plugin that raised anywhere (or registered something that is not a
    spec) adds none of them, so what it shows as an error is never half-registered.
    """
    registry = Registry(host)
    hooks: list[tuple[str, Any]] = [("hubcore_register_modules", registry._add_module)]
    for kind, name in COMPONENT_HOOKS.items():
        hooks.append((name, functools.partial(registry._add_component, kind)))
    pending: list[tuple[str, Any, list[Any]]] = []
    for hook_name, add in hooks:
        for dist, implementation in host.implementations(hook_name):
            specs: list[Any] = []
            started = time.perf_counter()
            try:
                implementation(register=specs.append)
                for spec in specs:
                    _check_spec(hook_name, spec)
            except KeyboardInterrupt:
                raise
            except BaseException as exc:  # SystemExit included: one plugin must not end the command
                host.fail(dist, f"{hook_name} failed: {type(exc).__name__}: {exc}")
            host.records[dist].load_seconds += time.perf_counter() - started
            pending.append((dist, add, specs))
    for dist, add, specs in pending:
        if host.records[dist].error is None:
            for spec in specs:
                add(dist, spec)
    return registry


def _check_spec(hook_name: str, spec: Any) -> None:
    wanted = ModuleSpec if hook_name == "hubcore_register_modules" else ComponentSpec
    if not isinstance(spec, wanted):
        raise HubcoreError(f"register() expects a {wanted.__name__}, got {type(spec).__name__}")


_lock = threading.Lock()
_current: Registry | None = None


def get_registry() -> Registry:
    """The registry of this process, built on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = build_registry(load_plugins())
        return _current


def reset_registry() -> None:
    """Forget the registry, so the next use reloads plugins (for tests and installs)."""
    global _current
    with _lock:
        _current = None


def _hubcore_refusal(spec: ModuleSpec) -> str | None:
    """Why a module cannot be used with the running hubcore (its ``requires_hubcore``), or None."""
    from packaging.specifiers import SpecifierSet

    from hubcore._version import __version__

    if not spec.requires_hubcore or SpecifierSet(spec.requires_hubcore).contains(
        __version__, prereleases=True
    ):
        return None
    return (
        f"module {spec.name!r} of plugin {spec.plugin!r} requires hubcore{spec.requires_hubcore}, "
        f"but hubcore {__version__} is running; not loaded (install a {spec.plugin} that supports "
        f"hubcore {__version__}, or a hubcore{spec.requires_hubcore})"
    )


def _unknown(kind: str, name: str, known: list[str]) -> str:
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    return f"unknown {kind} {name!r}{hint}"
