"""Render the plugin template (``plugins/template``) into a new plugin folder."""

from __future__ import annotations

from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore._patterns import PLUGIN_NAME as _NAME


def template_dir() -> Path:
    """The template shipped inside the wheel, or the checkout's copy in development."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "_template", here.parent / "plugins" / "template"):
        if candidate.is_dir():
            return candidate
    raise HubcoreError("the plugin template is missing from this hubcore installation")


def render_template(name: str, directory: Path) -> Path:
    """Copy the template to ``directory/hub-NAME``, filling in the names; never overwrite."""
    if not _NAME.match(name):
        raise HubcoreError(
            f"plugin name {name!r} must start with a letter and use lowercase letters, digits, '-' or '_'"
        )
    short = name.removeprefix("hub-").removeprefix("hub_")
    values = {
        "name": short,
        "dist": f"hub-{short.replace('_', '-')}",
        "package": f"hub_{short.replace('-', '_')}",
    }
    target = directory / values["dist"]
    if target.exists():
        raise HubcoreError(f"{target} already exists; choose another name or directory")
    source = template_dir()
    files = [path for path in sorted(source.rglob("*")) if path.is_file() and "__pycache__" not in path.parts]
    staging = target.with_name(f".{target.name}.partial")
    try:
        for path in files:
            relative = _fill(str(path.relative_to(source)), values)
            destination = staging / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            destination.write_text(_fill(path.read_text(encoding="utf-8"), values), encoding="utf-8")
        staging.rename(target)
    finally:
        if staging.exists():
            import shutil

            shutil.rmtree(staging)
    return target


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text
