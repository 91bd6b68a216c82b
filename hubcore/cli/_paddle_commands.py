"""``hubcore config``, ``hubcore clear`` and ``hubcore help``, as PaddleHub users type them.

``hub config`` showed and set PaddleHub's settings (``hub config server==URL``,
``hub config reset``); ``hub clear`` emptied its cache; ``hub help`` listed the commands.
"""

from __future__ import annotations

import click

_USAGE = (
    "\b\n"
    "hubcore config                  show every setting, its value and where it comes from\n"
    "hubcore config set KEY VALUE    keep a setting in the hub's config file (KEY==VALUE works too)\n"
    "hubcore config unset KEY        drop it from the file\n"
    "hubcore config reset            remove the file: defaults (and the environment) again"
)


@click.command(
    name="config",
    help="Show or set the hub's settings, kept in a file in its home (environment variables win).\n\n"
    + _USAGE,
    context_settings={"ignore_unknown_options": True},
)
@click.argument("words", nargs=-1)
def config(words: tuple[str, ...]) -> None:
    from hubcore._errors import HubcoreError
    from hubcore.hub import _settings as settings

    action, *rest = words or ("show",)
    if "==" in action and not rest:  # PaddleHub's `hub config server==URL`
        key, _, value = action.partition("==")
        action, rest = "set", [key, value]
    if action == "show" and not rest:
        for row in settings.effective():
            click.echo(f"{row.key:<18} {row.value or '(none)':<28} {row.source}")
        click.echo(f"config file: {settings.config_path()}")
        return
    if action == "reset" and not rest:
        path = settings.write_file({})
        click.echo(f"removed {path}: every setting is its default unless the environment sets it")
        return
    if action == "set" and len(rest) == 2:
        setting = settings.resolve_key(rest[0])
        stored = settings.read_file()
        stored[setting.key] = settings.normalise(setting, rest[1])
        path = settings.write_file(stored)
        click.echo(f"{setting.key} = {stored[setting.key]} (in {path})")
        _say_if_shadowed(setting.variable)
        return
    if action == "unset" and len(rest) == 1:
        setting = settings.resolve_key(rest[0])
        stored = settings.read_file()
        stored.pop(setting.key, None)
        settings.write_file(stored)
        click.echo(f"{setting.key} is no longer set in the config file")
        return
    raise HubcoreError(
        f"hubcore config {' '.join(words)}: not understood (show, set KEY VALUE, KEY==VALUE, unset KEY, "
        "reset; see `hubcore help config`)"
    )


def _say_if_shadowed(variable: str) -> None:
    import os

    if os.environ.get(variable, "").strip():
        click.echo(f"note: {variable} is set in the environment and wins over the file")


@click.command(name="clear")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def clear(yes: bool) -> None:
    """Remove every cached asset, partial download and cached index (`hubcore cache clear`)."""
    from hubcore.hub._cache import clear_cache
    from hubcore.hub._config import cache_dir

    if not yes:
        click.confirm(f"Remove everything cached in {cache_dir()}?", abort=True)
    click.echo(f"removed {clear_cache()} cached assets")


@click.command(name="help")
@click.argument("command", nargs=-1)
@click.pass_context
def help_command(ctx: click.Context, command: tuple[str, ...]) -> None:
    """Show the commands, or `hubcore help COMMAND...` for one of them."""
    from hubcore._errors import HubcoreError

    root = ctx.find_root()
    target: click.Command = root.command
    context = root
    for name in command:
        if not isinstance(target, click.Group):
            raise HubcoreError(f"{context.command_path} has no subcommand {name!r}")
        found = target.get_command(context, name)
        if found is None:
            raise HubcoreError(f"no command {name!r}; `hubcore help` lists them")
        context = click.Context(found, info_name=name, parent=context)
        target = found
    click.echo(target.get_help(context))


COMMANDS = (config, clear, help_command)
