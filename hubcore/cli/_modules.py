"""``hubcore list``, ``show`` and ``version``: what is installed, read from specs alone."""

from __future__ import annotations

import json
import platform
from typing import cast

import click

from hubcore._module import get_module_spec, list_components, list_modules
from hubcore._registry import COMPONENT_HOOKS, ComponentKind
from hubcore._version import __version__
from hubcore.cli._console import print_json, print_table

_LIST_FIELDS = ("name", "version", "type", "summary", "plugin")
_COMPONENT_FIELDS = ("name", "plugin", "summary")
_KINDS = ("module", *COMPONENT_HOOKS)
_TITLES = {"dataset": "Data sets", "reader": "Readers", "task": "Tasks", "strategy": "Strategies"}


@click.command("list")
@click.argument("pattern", default="*")
@click.option(
    "--kind",
    type=click.Choice(_KINDS),
    default="module",
    show_default=True,
    help="What to list: installed modules, or the registered data sets, readers, tasks or strategies.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
def list_command(pattern: str, kind: str, as_json: bool) -> None:
    """List installed modules (or, with --kind, components) whose name matches PATTERN (fnmatch wildcards)."""
    fields: tuple[str, ...]
    if kind == "module":
        fields = _LIST_FIELDS
        rows = [{key: getattr(spec, key) for key in fields} for spec in list_modules(pattern)]
        title = "Installed modules"
    else:
        fields = _COMPONENT_FIELDS
        found = list_components(cast(ComponentKind, kind), pattern)
        rows = [{key: getattr(spec, key) for key in fields} for spec in found]
        title = _TITLES[kind]
    if as_json:
        print_json(rows)
    else:
        print_table(title, fields, [tuple(r.values()) for r in rows])


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
