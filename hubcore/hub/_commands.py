"""The module-management commands: search, install, uninstall, download and cache.

Heavy imports (httpx, rich) happen inside the commands, so ``hubcore --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hubcore._errors import HubcoreError
from hubcore.cli._console import print_json, print_table

if TYPE_CHECKING:
    from hubcore.hub._index import ModuleIndex


@click.command()
@click.argument("keywords", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def search(keywords: tuple[str, ...], as_json: bool) -> None:
    """Search installed modules and the index for KEYWORDS (all must match)."""
    from hubcore.hub._index import load_index
    from hubcore.hub._search import search_modules

    index = load_index()
    _warn_about(index)
    results = search_modules(keywords, index=index)
    if as_json:
        print_json([r.to_dict() for r in results])
        return
    rows = [
        (
            r.name,
            f"yes ({r.installed_version})" if r.installed else "",
            r.latest,
            r.type,
            r.summary,
            r.requirement or r.plugin,
        )
        for r in results
    ]
    title = f"Modules matching {' '.join(keywords)!r}" if keywords else "Modules"
    print_table(title, ("name", "installed", "latest", "type", "summary", "package"), rows)
    if not results:
        click.echo(f"no module matches {' '.join(keywords)!r} (index: {index.source})", err=True)


@click.command()
@click.argument("names", nargs=-1, required=True)
@click.option("-U", "--upgrade", is_flag=True, help="Upgrade modules that are already installed.")
@click.option("--pre", is_flag=True, help="Consider pre-release versions.")
def install(names: tuple[str, ...], upgrade: bool, pre: bool) -> None:
    """Install modules: NAME[==VERSION] from the index, or a local wheel, sdist or folder."""
    from hubcore.hub._index import load_index
    from hubcore.hub._pip import incompatible_plugins, install_command, run_pip

    needs_index = any(not _looks_local(n) for n in names)
    index = load_index() if needs_index else None
    if index is not None:
        _warn_about(index)
    command = install_command(names, upgrade=upgrade, pre=pre, index=index)
    run_pip(command, click.echo, "install")
    mismatched = incompatible_plugins()
    if mismatched:
        print_table(
            "Plugins not loaded: they need another hubcore",
            ("plugin", "version", "needs hubcore", "present hubcore"),
            [(m.plugin, m.version, m.needs, m.present) for m in mismatched],
        )
        click.echo(
            f"warning: {len(mismatched)} plugin(s) are installed but not loaded; "
            "install a version that supports this hubcore, or upgrade hubcore",
            err=True,
        )


@click.command()
@click.argument("names", nargs=-1, required=True)
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def uninstall(names: tuple[str, ...], yes: bool) -> None:
    """Uninstall the plugin packages that provide modules NAMES."""
    from hubcore.hub._pip import uninstall_modules

    uninstall_modules(names, yes=yes, echo=click.echo)


@click.command()
@click.argument("name")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also copy the files here, with a manifest, for `hubcore cache import` elsewhere.",
)
def download(name: str, output: Path | None) -> None:
    """Download and verify the assets of module (or data set) NAME into the cache."""
    from hubcore.hub._assets import download_assets

    paths = download_assets(name, output)
    if not paths:
        click.echo(f"{name!r} declares no assets; nothing to download")
        return
    print_table(None, ("asset", "size", "path"), [(p.name, _size(p.stat().st_size), p) for p in paths])
    if output is not None:
        click.echo(f"copy {output} to the offline machine and run `hubcore cache import {output}` there")


@click.group()
def cache() -> None:
    """Inspect and manage the verified asset cache (HUBCORE_HOME)."""


@cache.command("ls")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def cache_ls(as_json: bool) -> None:
    """List cached assets."""
    from hubcore.hub._config import cache_dir
    from hubcore.hub._store import cached_assets

    found = cached_assets()
    if as_json:
        print_json([c.to_dict() for c in found])
        return
    rows = [
        (", ".join(c.files), c.sha256[:16], _size(c.size), ", ".join(c.owners) or "imported", c.license)
        for c in found
    ]
    print_table(f"Assets in {cache_dir()}", ("file", "sha256", "size", "used by", "license"), rows)


@cache.command("verify")
def cache_verify() -> None:
    """Re-hash every cached file against the digest it is stored under."""
    from hubcore.hub._cache import verify_cache

    checked, problems = verify_cache()
    if problems:
        listed = "; ".join(str(p) for p in problems)
        raise HubcoreError(
            f"{len(problems)} of {checked} cached files are corrupt: {listed}; "
            "remove them with `hubcore cache rm SHA256` and fetch them again"
        )
    click.echo(f"all {checked} cached files match their sha256")


@cache.command("rm")
@click.argument("name")
def cache_rm(name: str) -> None:
    """Remove an asset by file name, sha256 prefix, or all the assets of a module."""
    from hubcore.hub._cache import remove_from_cache

    for removed in remove_from_cache(name):
        click.echo(f"removed {', '.join(removed.files)} ({removed.sha256[:16]})")


@cache.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def cache_import(path: Path) -> None:
    """Add a file, or a folder written by `hubcore download --output`, to the cache."""
    from hubcore.hub._assets import import_into_cache

    for imported in import_into_cache(path):
        click.echo(f"imported {imported}")


@cache.command("clear")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def cache_clear(yes: bool) -> None:
    """Remove every cached asset, partial download and cached index."""
    from hubcore.hub._cache import clear_cache
    from hubcore.hub._config import cache_dir

    if not yes:
        click.confirm(f"Remove everything cached in {cache_dir()}?", abort=True)
    click.echo(f"removed {clear_cache()} cached assets")


COMMANDS = (search, install, uninstall, download, cache)


def _warn_about(index: ModuleIndex) -> None:
    for note in index.notes:
        click.echo(f"warning: {note}", err=True)
    for message in index.rejected.values():
        click.echo(f"warning: {message}", err=True)


def _looks_local(name: str) -> bool:
    from hubcore.hub._pip import local_source

    try:
        return local_source(name) is not None
    except HubcoreError:
        return True


def _size(count: int) -> str:
    value = float(count)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} B"
