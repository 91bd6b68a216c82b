"""``hubcore list``, ``show`` and ``version``: what is installed, read from specs alone."""

from __future__ import annotations

import json
import platform

import click

from hubcore._module import get_module_spec, list_modules
from hubcore._version import __version__
from hubcore.cli._console import print_json, print_table

_LIST_FIELDS = ("name", "version", "type", "summary", "plugin")


@click.command("list")
@click.argument("pattern", default="*")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_command(pattern: str, as_json: bool) -> None:
    """List installed modules whose name matches PATTERN (fnmatch wildcards)."""
    rows = [{key: getattr(spec, key) for key in _LIST_FIELDS} for spec in list_modules(pattern)]
    if as_json:
        print_json(rows)
    else:
        print_table("Installed modules", _LIST_FIELDS, [tuple(r.values()) for r in rows])


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print the spec as JSON.")
def show(name: str, as_json: bool) -> None:
    """Show everything the spec of module NAME says."""
    spec = get_module_spec(name).to_dict()
    if as_json:
        print_json(spec)
        return
    rows = [
        (key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        for key, value in spec.items()
    ]
    print_table(f"Module {spec['name']}", ("field", "value"), rows)


@click.command()
def version() -> None:
    """Print the versions of hubcore and Python."""
    click.echo(f"hubcore {__version__} (Python {platform.python_version()})")
