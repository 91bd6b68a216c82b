"""``hubcore plugins``: see what is installed, and start a new plugin."""

from __future__ import annotations

import os
from pathlib import Path

import click

from hubcore._registry import get_registry
from hubcore.cli._console import print_json, print_table
from hubcore.cli._template import render_template


@click.group()
def plugins() -> None:
    """Inspect and create hubcore plugins."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array instead of a table.")
@click.option(
    "--timings", is_flag=True, help="Show how long each plugin took to load (also with HUBCORE_DEBUG set)."
)
def list_plugins(as_json: bool, timings: bool) -> None:
    """List plugin distributions, their hooks, their modules and any load error."""
    registry = get_registry()
    timings = timings or bool(os.environ.get("HUBCORE_DEBUG", "").strip())
    records = [record.to_dict(timings=timings) for record in registry.plugins]
    if as_json:
        print_json(records)
        return
    rows = [
        (
            r["name"],
            r["version"],
            _short_hooks(r["hooks"]),
            ", ".join(r["modules"]),
            r["error"],
            *([f"{r['load_seconds']:.3f}"] if timings else []),
        )
        for r in records
    ]
    columns = ("name", "version", "hooks", "modules", "error", *(["load s"] if timings else []))
    print_table("Plugins", columns, rows)
    for conflict in registry.conflicts:
        click.echo(f"conflict: {conflict}", err=True)
    for message in dict.fromkeys(registry.refused.values()):
        click.echo(f"refused: {message}", err=True)


def _short_hooks(hooks: list[str]) -> str:
    # hubcore_register_modules shows as "modules"; --json keeps the full hook names.
    return ", ".join(hook.removeprefix("hubcore_register_") for hook in hooks)


@plugins.command("new")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the plugin's folder.",
)
def new_plugin(name: str, directory: Path) -> None:
    """Create the folder of a new plugin NAME from the template."""
    target = render_template(name, directory)
    click.echo(f"created {target}")
    click.echo(f"next: pip install -e {target} && hubcore plugins list")
