"""The options of ``hubcore run {{name}}``; the module is imported only when it runs."""

from __future__ import annotations

import json

import click


@click.command(name="{{name}}")
@click.option("--input_text", "input_text", required=True, help="The text to analyse.")
@click.option("--lowercase", is_flag=True, help="Lowercase the text first.")
def command(input_text: str, lowercase: bool) -> None:
    """Count the characters and words of INPUT_TEXT."""
    from {{package}}.module import Module

    click.echo(json.dumps(Module(lowercase=lowercase).predict([input_text]), ensure_ascii=False))
