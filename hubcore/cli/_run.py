"""``hubcore run NAME``: each module declares its own click command, loaded lazily."""

from __future__ import annotations

import click

from hubcore._entry import load_entry
from hubcore._errors import HubcoreError
from hubcore._registry import get_registry


class RunGroup(click.Group):
    """Subcommands are the installed modules; a module's command is imported when chosen."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [spec.name for spec in get_registry().find_modules() if spec.command]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = get_registry().module(cmd_name)
        if spec.command is None:
            raise HubcoreError(f"module {spec.name!r} declares no command to run")
        command = load_entry(spec.command, owner=f"module {spec.name!r}")
        if not isinstance(command, click.Command):
            raise HubcoreError(f"module {spec.name!r}: {spec.command!r} is not a click command")
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except HubcoreError as exc:
            raise click.UsageError(str(exc), ctx) from exc


@click.group(cls=RunGroup)
def run() -> None:
    """Run an installed module NAME; `hubcore run NAME --help` lists its options."""
