"""The Python entry points: build a module by name, list modules, fetch components."""

from __future__ import annotations

import inspect
import os
from pathlib import Path
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


def Module(  # noqa: N802 - PaddleHub's spelling
    name: str | None = None,
    version: str | None = None,
    directory: str | os.PathLike[str] | None = None,
    **kwargs: Any,
) -> Any:
    """Build a pretrained module, importing its code only now.

    ``version`` is an exact version (``"2.1.0"``) or a specifier (``">=2"``);
    other keyword arguments go to the module's constructor.  ``directory`` (PaddleHub's
    ``hub.Module(directory=...)``) alone is a saved best model (a folder with ``task.json``,
    rebuilt by :func:`hubcore.load_task`); with ``name`` it is a folder that module reads
    (weights, or a checkpoint of its own), passed on to its constructor as ``directory=``.
    """
    if directory is not None:
        return _from_directory(directory, name, version, kwargs)
    if name is None:
        raise HubcoreError("Module() needs name= (an installed module) or directory= (a folder)")
    spec = get_module_spec(name, version)
    factory = load_entry(spec.entry, owner=f"module {spec.name!r}")
    return factory(**kwargs)


def _from_directory(
    directory: str | os.PathLike[str], name: str | None, version: str | None, kwargs: dict[str, Any]
) -> Any:
    """A module from a folder: a saved best model, or a folder the named module reads."""
    folder = Path(directory)
    if name is None:
        if not folder.is_dir():
            raise HubcoreError(f"Module(directory={str(folder)!r}): the folder does not exist")
        if (folder / "task.json").is_file() or (folder / "best_model" / "task.json").is_file():
            if kwargs:
                raise HubcoreError(
                    f"{folder} is a saved model: pass directory= alone, no constructor options"
                )
            from hubcore.finetune.saved import load_task

            return load_task(folder)
        raise HubcoreError(
            f"{folder} holds no task.json (not a saved best model): to load a module's weights from it, "
            f"also pass name=, e.g. Module(name='ernie', directory={str(folder)!r})"
        )
    # With a name, the module checks the folder itself (its own messages say what it expects).
    spec = get_module_spec(name, version)
    factory = load_entry(spec.entry, owner=f"module {spec.name!r}")
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        parameters = {}  # type: ignore[assignment]
    takes_directory = "directory" in parameters or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()
    )
    if not takes_directory:
        raise HubcoreError(f"module {spec.name!r} does not load weights from a folder (no directory= option)")
    return factory(directory=directory, **kwargs)


def list_modules(pattern: str = "*") -> list[ModuleSpec]:
    """Installed modules whose name or an alias matches an fnmatch pattern."""
    return get_registry().find_modules(pattern)


def list_components(kind: ComponentKind, pattern: str = "*") -> list[ComponentSpec]:
    """Registered data sets, readers, tasks or strategies whose name matches an fnmatch pattern."""
    return get_registry().find_components(kind, pattern)


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
