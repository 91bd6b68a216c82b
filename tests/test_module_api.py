"""hubcore.Module, list_modules and their errors, through a third-party plugin."""

from __future__ import annotations

import json
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


def test_a_version_mismatch_suggests_only_what_the_index_can_install(tmp_path, monkeypatch) -> None:
    index = tmp_path / "index.json"
    versions = [{"version": v, "requires_hubcore": ">=0.1"} for v in ("2.1.0", "3.0.0", "3.2.0")]
    versions.append({"version": "4.0.0", "requires_hubcore": ">=99"})  # not for this hubcore
    entry = {"name": "toy", "requirement": "hub-toy", "versions": versions}
    index.write_text(json.dumps({"format": 1, "modules": [entry]}), encoding="utf-8")
    monkeypatch.setenv("HUBCORE_INDEX_URL", str(index))
    with pytest.raises(hubcore.VersionMismatchError, match=r"try `hubcore install toy==3\.2\.0`"):
        hubcore.Module(name="toy", version=">=3")
    with pytest.raises(hubcore.VersionMismatchError) as raised:
        hubcore.Module(name="toy", version="2.5.0")
    message = str(raised.value)
    assert "hubcore install" not in message
    assert "lists no version matching ==2.5.0 (it lists: 3.2.0, 3.0.0, 2.1.0)" in message
    with pytest.raises(hubcore.VersionMismatchError) as raised:
        hubcore.Module(name="toy", version=">=4")
    assert "hubcore install" not in str(raised.value)  # 4.0.0 needs another hubcore
