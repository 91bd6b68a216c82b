"""Specs reject malformed registrations at the moment a plugin makes them."""

from __future__ import annotations

import dataclasses

import pytest

from hubcore import Asset, ComponentSpec, ModuleSpec, SpecError

SHA = "a" * 64


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "Bad Name"}, "module name 'Bad Name' must be lowercase"),
        ({"version": "two"}, "module 'm': version 'two' is not PEP 440"),
        ({"entry": "no_colon"}, "module 'm' entry 'no_colon' must look like 'package.module:attribute'"),
        ({"command": "pkg.cli"}, "module 'm' command 'pkg.cli' must look like"),
        ({"requires_hubcore": "newest"}, "requires_hubcore 'newest' is not a version specifier"),
        ({"aliases": ("OK",)}, "module 'm' alias name 'OK' must be lowercase"),
    ],
)
def test_module_spec_validation_names_the_field(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"name": "m", "version": "1.0", "entry": "pkg.mod:Cls"}
    with pytest.raises(SpecError, match=message):
        ModuleSpec(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "../escape"}, "must be a plain file name"),
        ({"sha256": "ABC"}, "sha256 must be 64 lowercase hex digits"),
        ({"size": -1}, "size must not be negative"),
        ({"size": 2.5}, "size must not be negative: a whole number of bytes"),
        ({"md5": "F" * 32}, "md5 must be 32 lowercase hex digits"),
        ({"md5": "a" * 31}, "md5 must be 32 lowercase hex digits"),
        ({"sha256": "", "md5": ""}, "give its sha256, or else the md5 its publisher gives"),
        ({"sha256": "", "md5": "a" * 64}, "md5 must be 32 lowercase hex digits"),
    ],
)
def test_asset_validation(fields: dict[str, object], message: str) -> None:
    base: dict[str, object] = {"name": "w.bin", "sha256": SHA, "size": 3}
    with pytest.raises(SpecError, match=message):
        Asset(**(base | fields))


def test_specs_store_tuples_and_round_trip_to_plain_data() -> None:
    asset = Asset("w.bin", SHA, 3, urls=["https://a/w.bin", "https://b/w.bin"], license="MIT")
    spec = ModuleSpec("m", "1.0", "pkg.mod:Cls", aliases=["mm"], assets=[asset])
    assert spec.names == ("m", "mm")
    assert spec.assets[0].urls == ("https://a/w.bin", "https://b/w.bin")
    assert spec.to_dict()["assets"] == [
        {
            "name": "w.bin",
            "sha256": SHA,
            "size": 3,
            "urls": ["https://a/w.bin", "https://b/w.bin"],
            "license": "MIT",
            "md5": "",
        }
    ]
    assert spec.with_plugin("hub-m").plugin == "hub-m"


def test_component_spec_checks_its_entry() -> None:
    with pytest.raises(SpecError, match="component 'c' entry"):
        ComponentSpec("c", "not an entry")


MD5 = "fbb3217aeac76a2840d2d5cd19688b07"


def test_md5_only_asset_is_keyed_by_its_md5_and_round_trips() -> None:
    asset = Asset("data.tar.gz", "", 0, urls=["https://a/data.tar.gz"], md5=MD5)
    assert asset.key == f"md5-{MD5}"
    assert asset.digest_label == "md5 fbb3217aeac7…"
    spec = ComponentSpec("d", "pkg.mod:Cls", assets=[asset])
    plain = spec.to_dict()["assets"]
    assert plain == [
        {
            "name": "data.tar.gz",
            "sha256": "",
            "size": 0,
            "urls": ["https://a/data.tar.gz"],
            "license": "",
            "md5": MD5,
        }
    ]
    assert [Asset(**item) for item in plain] == [asset]  # JSON-ready, and back
    with pytest.raises(dataclasses.FrozenInstanceError):
        asset.md5 = "0" * 32  # type: ignore[misc]


def test_sha256_stays_the_identity_when_both_digests_are_given() -> None:
    asset = Asset("w.bin", SHA, 3, md5=MD5)
    assert asset.key == SHA and asset.digest_label == "sha256 aaaaaaaaaaaa…"
