"""The Python entry points: build a module by name, list modules, fetch components."""

from __future__ import annotations

from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import Version

from hubcore._entry import load_entry
from hubcore._errors import HubcoreError, VersionMismatchError
from hubcore._registry import ComponentKind, get_registry
from hubcore._specs import ComponentSpec, ModuleSpec


def get_module_spec(name: str, version: str | None = None) -> ModuleSpec:
    """The spec of an installed module, checked against a version or specifier."""
    spec = get_registry().module(name)
    if version:
        wanted = _specifier(version)
        if not wanted.contains(spec.version, prereleases=True):
            raise VersionMismatchError(
                f"module {spec.name!r} is installed at version {spec.version}, "
                f"but {wanted} was asked for (from plugin {spec.plugin!r}; {_install_hint(spec, wanted)})"
            )
    return spec


def _install_hint(spec: ModuleSpec, wanted: SpecifierSet) -> str:
    """What to install for ``wanted``: only a version the index lists (never fetched for a hint)."""
    from hubcore.hub._index import load_index

    try:
        index = load_index(network=False)
        entry = index.find(spec.name)
    except HubcoreError:
        return "the index has no entry for it, so no installable version is known"
    listed = sorted((Version(v.version) for v in entry.versions if v.supports()), reverse=True)
    matching = [v for v in listed if wanted.contains(v, prereleases=True)]
    if matching:
        return f"try `hubcore install {spec.name}=={matching[0]}`"
    known = ", ".join(str(v) for v in listed) or "none"
    return f"the {index.source} lists no version matching {wanted} (it lists: {known})"


def Module(name: str, version: str | None = None, **kwargs: Any) -> Any:  # noqa: N802 - PaddleHub's spelling
    """Build a pretrained module, importing its code only now.

    ``version`` is an exact version (``"2.1.0"``) or a specifier (``">=2"``);
    other keyword arguments go to the module's constructor.
    """
    spec = get_module_spec(name, version)
    factory = load_entry(spec.entry, owner=f"module {spec.name!r}")
    return factory(**kwargs)


def list_modules(pattern: str = "*") -> list[ModuleSpec]:
    """Installed modules whose name or an alias matches an fnmatch pattern."""
    return get_registry().find_modules(pattern)


def get_component_spec(kind: ComponentKind, name: str) -> ComponentSpec:
    """The spec of a registered data set, reader, task or strategy."""
    return get_registry().component(kind, name)


def load_component(kind: ComponentKind, name: str) -> Any:
    """The class (or factory) of a registered data set, reader, task or strategy."""
    spec = get_component_spec(kind, name)
    return load_entry(spec.entry, owner=f"{kind} {spec.name!r}")


def _specifier(version: str) -> SpecifierSet:
    text = version.strip()
    if text and text[0].isdigit():
        text = f"=={text}"
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        raise HubcoreError(f"version {version!r} is neither a version nor a specifier like '>=2'") from None
