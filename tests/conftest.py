"""Fixtures that install throwaway plugins the way a third party would: entry points."""

from __future__ import annotations

import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import hubcore

MakePlugin = Callable[..., Path]


@pytest.fixture(autouse=True)
def fresh_registry() -> Iterator[None]:
    """Every test sees the plugins installed at that moment."""
    hubcore.reset_registry()
    yield
    hubcore.reset_registry()


@pytest.fixture
def make_plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakePlugin]:
    """Install a plugin distribution into a folder on sys.path: a module plus its dist-info."""
    site = tmp_path / "site"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))

    def make(
        dist: str,
        source: str,
        *,
        version: str = "1.0",
        requires: tuple[str, ...] = (),
        module: str | None = None,
    ) -> Path:
        module = module or dist.replace("-", "_")
        (site / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = site / f"{module}-{version}.dist-info"
        info.mkdir()
        metadata = ["Metadata-Version: 2.1", f"Name: {dist}", f"Version: {version}"]
        metadata += [f"Requires-Dist: {requirement}" for requirement in requires]
        (info / "METADATA").write_text("\n".join(metadata) + "\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[hubcore]\n{module} = {module}\n", encoding="utf-8")
        sys.modules.pop(module, None)
        hubcore.reset_registry()
        return site / f"{module}.py"

    yield make
    for name in [n for n in sys.modules if (site / f"{n}.py").exists()]:
        del sys.modules[name]


TOY_PLUGIN = """
from hubcore import ModuleSpec, hookimpl

@hookimpl
def hubcore_register_modules(register):
    register(ModuleSpec(name="toy", version="2.1.0", entry="toy_impl:Toy", command="toy_impl:command",
                        summary="A toy module.", type="nlp/toy", aliases=("toy-alias",)))
"""

TOY_IMPL = '''
import click

class Toy:
    def __init__(self, scale=1):
        self.scale = scale

    def predict(self, values):
        return [v * self.scale for v in values]

@click.command(name="toy")
@click.option("--value", type=int, required=True)
def command(value):
    """Scale VALUE."""
    from hubcore import HubcoreError
    if value < 0:
        raise HubcoreError(f"--value must not be negative, got {value}")
    click.echo(value * 2)
'''


@pytest.fixture
def toy_plugin(make_plugin: MakePlugin) -> Path:
    """A working third-party plugin, ``hub-toy``, registering module ``toy``."""
    path = make_plugin("hub-toy", TOY_PLUGIN)
    (path.parent / "toy_impl.py").write_text(TOY_IMPL, encoding="utf-8")
    sys.modules.pop("toy_impl", None)
    return path
