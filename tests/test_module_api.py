"""hubcore.Module, list_modules and their errors, through a third-party plugin."""

from __future__ import annotations

import sys

import pytest

import hubcore


@pytest.fixture(autouse=True)
def only_toy(toy_plugin, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-toy")
    hubcore.reset_registry()


def test_module_imports_its_code_only_when_built() -> None:
    assert hubcore.get_module_spec("toy").entry == "toy_impl:Toy"
    assert "toy_impl" not in sys.modules
    toy = hubcore.Module(name="toy", scale=3)
    assert "toy_impl" in sys.modules
    assert toy.predict([1, 2]) == [3, 6]


def test_module_by_alias_and_version() -> None:
    assert hubcore.Module(name="toy-alias", version=">=2").scale == 1
    assert hubcore.Module(name="toy", version="2.1.0").scale == 1


def test_version_mismatch_says_what_is_installed_and_what_was_asked() -> None:
    with pytest.raises(hubcore.VersionMismatchError) as raised:
        hubcore.Module(name="toy", version=">=3")
    assert str(raised.value) == (
        "module 'toy' is installed at version 2.1.0, but >=3 was asked for "
        "(from plugin 'hub-toy'; the index has no entry for it, so no installable version is known)"
    )


def test_a_malformed_version_request_is_a_user_error() -> None:
    with pytest.raises(hubcore.HubcoreError, match="neither a version nor a specifier"):
        hubcore.Module(name="toy", version="latest!")


def test_unknown_names_list_close_matches() -> None:
    with pytest.raises(hubcore.UnknownNameError, match=r"unknown module 'tyo'; did you mean 'toy'\?"):
        hubcore.Module(name="tyo")
    with pytest.raises(LookupError, match=r"^unknown module 'zzz'$"):
        hubcore.Module(name="zzz")


def test_list_modules_matches_names_and_aliases_with_wildcards() -> None:
    assert [s.name for s in hubcore.list_modules("t*")] == ["toy"]
    assert [s.name for s in hubcore.list_modules("*-alias")] == ["toy"]
    assert hubcore.list_modules("x?") == []


def test_an_entry_that_cannot_be_imported_names_module_and_entry(make_plugin, monkeypatch) -> None:
    make_plugin(
        "hub-missing",
        """
        from hubcore import ModuleSpec, hookimpl

        @hookimpl
        def hubcore_register_modules(register):
            register(ModuleSpec(name="ghost", version="1.0", entry="ghost_impl:Ghost"))
        """,
    )
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-missing")
    hubcore.reset_registry()
    with pytest.raises(hubcore.EntryLoadError, match=r"cannot load 'ghost_impl:Ghost' for module 'ghost'"):
        hubcore.Module(name="ghost")
