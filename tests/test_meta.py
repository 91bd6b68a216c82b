"""Checks on the project itself: every hook tested and documented, the public API complete."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest

import hubcore
from hubcore import hookspecs

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name, _ in inspect.getmembers(hookspecs, inspect.isfunction))


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_has_a_test(hook: str) -> None:
    tests = (ROOT / "tests" / "test_hooks.py").read_text(encoding="utf-8")
    assert f"def test_hook_{hook}(" in tests


@pytest.mark.parametrize("hook", HOOKS)
def test_every_hook_is_documented(hook: str) -> None:
    guide = (ROOT / "plugins" / "README.md").read_text(encoding="utf-8")
    assert re.search(rf"^### `?{hook}\(", guide, re.MULTILINE), f"plugins/README.md lacks a section on {hook}"
    assert getattr(hookspecs, hook).__doc__


def test_no_documented_hook_is_missing_from_the_specs() -> None:
    guide = (ROOT / "plugins" / "README.md").read_text(encoding="utf-8")
    assert sorted(re.findall(r"^### `?(hubcore_\w+)\(", guide, re.MULTILINE)) == HOOKS


@pytest.mark.parametrize("package", ["hubcore", "hubcore.finetune", "hubcore.hub"])
def test_public_api_is_sorted_and_every_name_resolves(package: str) -> None:
    module = importlib.import_module(package)
    assert module.__all__ == sorted(module.__all__)
    missing = [name for name in module.__all__ if not hasattr(module, name)]
    assert missing == []


def test_every_public_name_of_hubcore_is_exported() -> None:
    public = {
        name
        for name, value in vars(hubcore).items()
        if not name.startswith("_") and not inspect.ismodule(value) and name != "annotations"
    }
    assert public - set(hubcore.__all__) == set()


def test_the_lazy_names_of_subpackages_are_exported_by_hubcore() -> None:
    import hubcore.finetune
    import hubcore.hub

    assert set(hubcore.finetune.__all__) | set(hubcore.hub.__all__) <= set(hubcore.__all__)


def test_hubcore_all_is_exactly_the_core_names_plus_the_lazy_ones() -> None:
    import hubcore.finetune
    import hubcore.hub

    core = {name for name in hubcore.__all__ if name not in hubcore._LAZY}
    assert set(hubcore.__all__) == core | set(hubcore.finetune.__all__) | set(hubcore.hub.__all__)
    assert len(hubcore.__all__) == len(set(hubcore.__all__))


def _imported_modules(path: Path) -> set[str]:
    """Every module a source file imports, at any depth (inside functions too), resolved to absolute."""
    import ast

    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def test_the_hub_is_a_library_without_a_command_line() -> None:
    # hubcore.hub is used by scripts and servers: its commands live in hubcore.cli.
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in _imported_modules(path)
            if name == "click" or name.startswith("click.") or name.startswith("hubcore.cli")
        )
        for path in sorted((ROOT / "hubcore" / "hub").rglob("*.py"))
    }
    assert {path: names for path, names in offenders.items() if names} == {}
    assert len(offenders) >= 10  # the walk really found the hub's modules


def test_the_import_walk_sees_nested_imports() -> None:
    sample = ROOT / "hubcore" / "hub" / "_cache.py"
    assert "hubcore.hub._store" in _imported_modules(sample)  # `from hubcore.hub import _store`
    assert "hubcore.hub._assets" in _imported_modules(sample)  # imported inside a function


# A digest or a name pattern written out anywhere but hubcore/_patterns.py.
_PATTERN_COPIES = re.compile(r"\[0-9a-f\]\{|\[a-z0-9\]|\[A-Za-z0-9\]|\\x00-\\x1f")


def test_digest_and_name_patterns_are_defined_once() -> None:
    copies = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "hubcore").rglob("*.py"))
        if path.name != "_patterns.py"
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _PATTERN_COPIES.search(line)
    ]
    assert copies == []
    assert _PATTERN_COPIES.search((ROOT / "hubcore" / "_patterns.py").read_text(encoding="utf-8"))


def test_the_shared_patterns_accept_and_refuse_what_the_specs_and_the_store_expect() -> None:
    from hubcore import _patterns

    assert _patterns.SHA256.match("0" * 64) and not _patterns.SHA256.match("0" * 63 + "G")
    assert _patterns.MD5.match("f" * 32) and not _patterns.MD5.match("F" * 32)
    assert _patterns.HEX_PREFIX.match("abcd0123") and not _patterns.HEX_PREFIX.match("abc0123")
    assert _patterns.NAME.match("ernie-3.0-base-zh") and not _patterns.NAME.match("../x")
    assert re.fullmatch(_patterns.DISTRIBUTION, "hub_LAC.x")
    assert not re.fullmatch(_patterns.DISTRIBUTION, "hub-")
    assert _patterns.CONTROL.sub("", "a\x1b[31mb\x9bc") == "a[31mbc"
