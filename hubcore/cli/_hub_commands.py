"""The module-management commands: search, install, uninstall and download (``cache`` is beside).

Heavy imports (httpx, rich) happen inside the commands, so ``hubcore --help`` stays fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from hubcore._errors import HubcoreError
from hubcore.cli._console import human_size, print_json, print_table

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
@click.option(
    "--find-links",
    "find_links",
    multiple=True,
    metavar="DIR",
    help="Also look for wheels here (passed to pip), e.g. the dist/wheels that `nox -s wheels` builds.",
)
def install(names: tuple[str, ...], upgrade: bool, pre: bool, find_links: tuple[str, ...]) -> None:
    """Install modules: NAME[==VERSION] from the index, or a local wheel, sdist or folder."""
    from hubcore.hub._index import load_index
    from hubcore.hub._pip import incompatible_plugins, install_command, run_install

    needs_index = any(not _looks_local(n) for n in names)
    index = load_index() if needs_index else None
    if index is not None:
        _warn_about(index)
    command = install_command(names, upgrade=upgrade, pre=pre, index=index, find_links=find_links)
    run_install(command, names, click.echo)
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
    print_table(None, ("asset", "size", "path"), [(p.name, human_size(p.stat().st_size), p) for p in paths])
    if output is not None:
        click.echo(f"copy {output} to the offline machine and run `hubcore cache import {output}` there")


COMMANDS = (search, install, uninstall, download)


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
