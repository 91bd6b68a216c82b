"""Install and uninstall modules by running pip in the current environment.

Names are resolved through the index into pinned, validated requirements, and pip is
always given an argument list (never a shell line), so no index entry can smuggle in
an option or a URL.  The command is printed before it runs.
"""

from __future__ import annotations

import difflib
import importlib
import re
import shlex
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hubcore._errors import HubcoreError, UnknownNameError
from hubcore._patterns import DISTRIBUTION
from hubcore._version import __version__
from hubcore.hub._index import IndexEntry, ModuleIndex, load_index

Echo = Callable[[str], None]
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".zip", ".tar.bz2")
_NAME_AND_VERSION = re.compile(rf"^({DISTRIBUTION})(?:==([^\s=]+))?$")


@dataclass(frozen=True)
class Incompatible:
    """A plugin whose hubcore range excludes the running hubcore, so it is not loaded."""

    plugin: str
    version: str
    needs: str
    present: str = __version__


def install_command(
    names: Sequence[str],
    *,
    upgrade: bool = False,
    pre: bool = False,
    index: ModuleIndex | None = None,
    find_links: Sequence[str] = (),
) -> list[str]:
    """The pip command that installs ``names`` (modules, ``NAME==VERSION`` or local paths).

    ``find_links`` are folders of wheels (or URLs of pages listing them) that pip also
    searches, such as the ``dist/wheels`` that ``nox -s wheels`` builds from a checkout.
    """
    if not names:
        raise HubcoreError("name at least one module, wheel, sdist or folder to install")
    links = [_find_links(link) for link in find_links]
    requirements = []
    for name in names:
        local = local_source(name)
        if local is not None:
            requirements.append(str(local))
            continue
        index = load_index() if index is None else index
        requirements.append(_requirement(name, index, pre=pre))
    options = [*(["--upgrade"] if upgrade else []), *(["--pre"] if pre else [])]
    options += [option for link in links for option in ("--find-links", link)]
    return [sys.executable, "-m", "pip", "install", *options, *requirements]


def install_modules(
    names: Sequence[str],
    *,
    upgrade: bool = False,
    pre: bool = False,
    echo: Echo = print,
    find_links: Sequence[str] = (),
) -> list[Incompatible]:
    """Install modules with pip; returns the installed plugins that this hubcore cannot load."""
    command = install_command(names, upgrade=upgrade, pre=pre, find_links=find_links)
    run_install(command, names, echo)
    return incompatible_plugins()


def run_install(command: list[str], names: Sequence[str], echo: Echo) -> None:
    """Run pip's install command; when pip finds no distribution, say how to install from a checkout."""
    try:
        run_pip(command, echo, "install")
    except PipError as failed:
        wanted = [name for name in names if local_source(name) is None]
        if not failed.missing or not wanted:
            raise
        raise HubcoreError(_not_on_the_index(wanted, failed.missing, command)) from None


def _not_on_the_index(names: Sequence[str], missing: Sequence[str], command: Sequence[str]) -> str:
    """One line: the plugin is not on the package index, so build the wheelhouse or install the folder."""
    dists = list(dict.fromkeys(_distribution_name(requirement) for requirement in missing))
    searched = [command[i + 1] for i, word in enumerate(command[:-1]) if word == "--find-links"]
    where = f"the package index nor {', '.join(searched)}" if searched else "the package index"
    again = " ".join(["hubcore install", *names])
    return (
        f"pip found no {', '.join(dists)} on {where} (hubcore's own plugins are not published there); "
        f"from a checkout of the hubcore repository, run `nox -s wheels` (wheels of hubcore and every "
        f"plugin in dist/wheels/) and then `{again} --find-links dist/wheels`, "
        f"or install the plugin's folder: `{' '.join(['pip install', *(f'./{d}' for d in dists)])}`"
    )


def _find_links(link: str) -> str:
    """A --find-links value for pip: a URL as given, or a folder that must exist (made absolute)."""
    if "://" in link:
        return link
    path = Path(link).expanduser()
    if not path.is_dir():
        raise HubcoreError(
            f"--find-links {link}: no such folder "
            "(`nox -s wheels` in a checkout of hubcore builds dist/wheels)"
        )
    return str(path.resolve())


def uninstall_command(
    names: Sequence[str], *, yes: bool = False, index: ModuleIndex | None = None
) -> list[str]:
    """The pip command that removes the distributions providing ``names``."""
    if not names:
        raise HubcoreError("name at least one module or plugin to uninstall")
    dists = list(dict.fromkeys(_installed_distribution(name, index) for name in names))
    return [sys.executable, "-m", "pip", "uninstall", *(["--yes"] if yes else []), *dists]


def uninstall_modules(names: Sequence[str], *, yes: bool = False, echo: Echo = print) -> None:
    """Uninstall the plugins providing ``names`` with pip (asking first unless ``yes``)."""
    run_pip(uninstall_command(names, yes=yes), echo, "uninstall")


def incompatible_plugins() -> list[Incompatible]:
    """Installed plugins whose declared hubcore range excludes this hubcore, rescanned now."""
    from hubcore._registry import get_registry, reset_registry

    importlib.invalidate_caches()
    reset_registry()
    found = []
    for record in get_registry().plugins:
        needs = record.requires_hubcore
        if needs is not None and not SpecifierSet(needs).contains(__version__, prereleases=True):
            found.append(Incompatible(record.name, record.version, needs))
    return found


class PipError(HubcoreError):
    """pip exited with an error; ``missing``: the requirements it found no distribution for."""

    def __init__(self, message: str, *, missing: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.missing = list(missing)


# What pip says when the index (and any --find-links) has no distribution for a requirement.
_NO_DISTRIBUTION = re.compile(r"No matching distribution found for (\S+)")


def _distribution_name(requirement: str) -> str:
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return requirement


def run_pip(command: list[str], echo: Echo, what: str) -> None:
    """Run pip, its output passed through as it comes (its stderr read too, to explain a failure)."""
    echo("$ " + shlex.join(command))
    sys.stdout.flush()
    with subprocess.Popen(command, stderr=subprocess.PIPE, text=True, errors="replace") as process:
        assert process.stderr is not None
        said: list[str] = []
        for line in process.stderr:
            sys.stderr.write(line)
            said.append(line)
        status = process.wait()
    if status != 0:
        missing = [found.group(1) for line in said if (found := _NO_DISTRIBUTION.search(line))]
        raise PipError(f"pip {what} failed with exit status {status} (its output is above)", missing=missing)


def local_source(name: str) -> Path | None:
    looks_local = name.endswith(_ARCHIVES) or "/" in name or "\\" in name or name.startswith((".", "~"))
    path = Path(name).expanduser()
    if not looks_local and not path.exists():
        return None
    if not path.exists():
        raise HubcoreError(f"cannot install {name!r}: no such file or folder")
    if path.is_dir() and not any((path / f).is_file() for f in ("pyproject.toml", "setup.py", "setup.cfg")):
        raise HubcoreError(f"cannot install {name!r}: the folder has no pyproject.toml or setup.py")
    if path.is_file() and not name.endswith(_ARCHIVES):
        raise HubcoreError(f"cannot install {name!r}: expected a wheel (.whl), an sdist or a folder")
    return path.resolve()


def _requirement(name: str, index: ModuleIndex, *, pre: bool) -> str:
    match = _NAME_AND_VERSION.match(name.strip())
    if match is None:
        raise HubcoreError(
            f"cannot install {name!r}: expected NAME or NAME==VERSION, a wheel, an sdist or a folder"
        )
    module, version = match.groups()
    try:
        entry = index.find(module)
    except HubcoreError:
        installed = _installed_provider(module)
        if installed is None:
            raise
        return installed if version is None else f"{installed}=={version}"
    if version is None:
        return _newest(entry, pre=pre)
    try:
        wanted = Version(version)
    except InvalidVersion:
        raise HubcoreError(f"cannot install {name!r}: {version!r} is not a version") from None
    listed = {Version(v.version): v for v in entry.versions}
    if listed and wanted not in listed:
        known = ", ".join(str(v) for v in sorted(listed)) or "none"
        raise HubcoreError(f"the index lists no version {version} of {entry.name!r} (listed: {known})")
    found = listed.get(wanted)
    if found is not None and not found.supports():
        raise HubcoreError(
            f"{entry.name} {version} needs hubcore{found.requires_hubcore}, but hubcore {__version__} "
            "is installed"
        )
    return f"{entry.distribution}=={wanted}"


def _installed_provider(name: str) -> str | None:
    """The installed plugin distribution that provides module ``name`` (it wins over the index)."""
    from hubcore._registry import get_registry

    try:
        dist = get_registry().module(name).plugin
    except HubcoreError:
        return None
    return None if canonicalize_name(dist) == "hubcore" else dist


def _newest(entry: IndexEntry, *, pre: bool) -> str:
    if not entry.versions:
        return entry.requirement
    best = entry.newest_supported(pre=pre)
    if best is None:
        needs = "; ".join(f"{v.version} needs hubcore{v.requires_hubcore}" for v in entry.versions)
        hint = "" if pre else " (add --pre to consider pre-releases)"
        raise HubcoreError(
            f"no version of {entry.name!r} in the index works with hubcore {__version__}: {needs}{hint}"
        )
    return f"{entry.distribution}=={best.version}"


def _installed_distribution(name: str, index: ModuleIndex | None) -> str:
    from hubcore._registry import get_registry

    registry = get_registry()
    dist = None
    try:
        dist = registry.module(name).plugin
    except UnknownNameError:
        for record in registry.plugins:
            if canonicalize_name(record.name) == canonicalize_name(name):
                dist = record.name
    if dist is None:
        try:
            dist = (load_index() if index is None else index).find(name).distribution
        except HubcoreError:
            known = [*registry.modules, *(r.name for r in registry.plugins if r.name != "hubcore")]
            close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise UnknownNameError(f"no installed module or plugin {name!r}{hint}") from None
    if canonicalize_name(dist) == "hubcore":
        raise HubcoreError(f"{name!r} is part of hubcore itself and cannot be uninstalled on its own")
    try:
        metadata.distribution(dist)
    except metadata.PackageNotFoundError:
        raise HubcoreError(f"{name!r} is provided by {dist!r}, which is not installed") from None
    return dist
