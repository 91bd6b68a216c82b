"""``hubcore cache ls|verify|rm|import|clear``: the verified asset cache, seen and looked after.

The store itself is ``hubcore.hub``'s; these commands only show and call it.
"""

from __future__ import annotations

from pathlib import Path

import click

from hubcore._errors import HubcoreError
from hubcore.cli._console import human_size, print_json, print_table


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
    if not found:
        click.echo(f"the cache {cache_dir()} holds no assets (`hubcore download NAME` fetches a module's)")
        return
    rows = [
        (", ".join(c.files), c.sha256[:16], human_size(c.size), ", ".join(c.owners) or "imported", c.license)
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
