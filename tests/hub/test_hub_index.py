"""The module index: bundled entries, validation of every entry, and the remote index's fallbacks."""

from __future__ import annotations

import json

import pytest

import hubcore
from hubcore.hub import IndexEntryError, ModuleIndex, load_index, validate_requirement
from hubcore.hub._index import BUNDLED, bundled_index, parse_index

FIRST_PARTY = {
    "lac": "hub-lac",
    "ernie": "hub-ernie",
    "ernie-3.0-base-zh": "hub-ernie",
    "ernie-3.0-medium-zh": "hub-ernie",
    "ernie-3.0-mini-zh": "hub-ernie",
    "ernie-3.0-micro-zh": "hub-ernie",
    "ernie-3.0-nano-zh": "hub-ernie",
    "bert-base-chinese": "hub-ernie",
    "yolov3": "hub-yolov3",
    "yolov3_tiny": "hub-yolov3",
}


def _entry(name: str, requirement: str) -> dict[str, object]:
    return {
        "name": name,
        "requirement": requirement,
        "versions": [{"version": "1.0", "requires_hubcore": ">=0.1"}],
    }


def test_hub_bundled_index_covers_the_first_party_plugins_and_is_valid():
    index = bundled_index()

    assert index.rejected == {}
    assert {name: index.find(name).distribution for name in FIRST_PARTY} == FIRST_PARTY
    for entry in index.entries.values():
        assert entry.summary and entry.type and entry.keywords and entry.versions
        assert entry.newest_supported() is not None, (
            f"{entry.name} has no version for hubcore {hubcore.__version__}"
        )
    assert index.find("yolov3_darknet53_coco2017").name == "yolov3"


def test_hub_bundled_index_agrees_with_installed_first_party_plugins():
    index = bundled_index()
    installed = [s for s in hubcore.get_registry().modules.values() if s.plugin in set(FIRST_PARTY.values())]
    # hub-ernie offers all-minilm-l6-v2 only when a separate weights package is installed
    unindexed = {s.name for s in installed if not set(s.names) & set(index.entries)}
    assert unindexed <= {"all-minilm-l6-v2"}
    for spec in installed:
        if spec.name in unindexed:
            continue
        entry = index.find(spec.name)
        assert (entry.name, entry.distribution, entry.type) == (spec.name, spec.plugin, spec.type)
        assert set(spec.aliases) <= set(entry.aliases)


@pytest.mark.parametrize(
    ("requirement", "reason"),
    [
        ("evil @ https://example.invalid/evil.whl", "is a URL"),
        ("https://example.invalid/evil-1.0-py3-none-any.whl", "is a URL"),
        ("git+https://example.invalid/evil.git", "is a URL"),
        ("../evil", "is a path"),
        ("/tmp/evil-1.0.tar.gz", "is a path"),
        ("--index-url=https://example.invalid/simple", "carries a pip option"),
        ("hub-lac --extra-index-url https://example.invalid/simple", "carries a pip option"),
        ("-e .", "carries a pip option"),
        ("hub-lac[evil]", "has extras"),
        ("hub-lac; python_version > '3'", "has extras, a URL or a marker"),
        ("hubcore==0.0.1", "names hubcore itself"),
        ("hub lac", "not a PEP 508 requirement"),
    ],
)
def test_hub_malicious_index_entry_is_rejected_by_name_and_the_rest_kept(requirement, reason):
    document = {"format": 1, "modules": [_entry("evil", requirement), _entry("good", "hub-good>=1")]}

    index = parse_index(document, "test index")

    assert list(index.entries) == ["good"]
    assert "entry 'evil'" in index.rejected["evil"] and reason in index.rejected["evil"]
    with pytest.raises(IndexEntryError, match="index entry 'evil' was rejected"):
        index.find("evil")


@pytest.mark.parametrize("requirement", ["hub-lac", "hub-lac>=0.1,<1", "hub_lac==1.0.0", "Hub.Lac~=1.2"])
def test_hub_plain_requirements_are_accepted(requirement):
    assert validate_requirement(requirement, "here").specifier is not None


def test_hub_index_rejects_clashing_names_and_bad_versions():
    document = {
        "modules": [
            _entry("one", "hub-one"),
            {**_entry("two", "hub-two"), "aliases": ["one"]},
            {**_entry("three", "hub-three"), "versions": [{"version": "not-a-version"}]},
            {**_entry("four", "hub-four"), "versions": [{"version": "1.0", "requires_hubcore": ">>1"}]},
        ]
    }
    index = parse_index(document, "test index")

    assert list(index.entries) == ["one"]
    assert "already used by entry 'one'" in index.rejected["two"]
    assert "not a PEP 440 version" in index.rejected["three"]
    assert "is not a version specifier" in index.rejected["four"]


def _serve_index(asset_server, modules):
    return asset_server.serve("index.json", json.dumps({"format": 1, "modules": modules}).encode())


def test_hub_remote_index_is_fetched_then_cached_for_its_ttl(hub_home, asset_server, monkeypatch):
    url = _serve_index(asset_server, [_entry("remote-only", "hub-remote")])
    monkeypatch.setenv("HUBCORE_INDEX_URL", url)

    first = load_index()
    second = load_index()

    assert list(first.entries) == list(second.entries) == ["remote-only"]
    assert second.source == f"cached index of {url}"
    assert len(asset_server.requests("index.json")) == 1
    monkeypatch.setenv("HUBCORE_INDEX_TTL", "0")
    assert list(load_index().entries) == ["remote-only"]
    assert len(asset_server.requests("index.json")) == 2


def test_hub_remote_index_falls_back_to_cache_then_to_bundled(hub_home, asset_server, monkeypatch):
    url = _serve_index(asset_server, [_entry("remote-only", "hub-remote")])
    monkeypatch.setenv("HUBCORE_INDEX_URL", url)
    monkeypatch.setenv("HUBCORE_INDEX_TTL", "0")
    load_index()
    asset_server.serve("index.json", b"", mode="status", status=500)

    failing = load_index()

    assert list(failing.entries) == ["remote-only"]
    assert failing.source == f"cached index of {url}"
    assert "HTTP 500" in failing.notes[0]

    asset_server.serve("index.json", b"{not json")
    for path in (hub_home / "index").iterdir():
        path.unlink()
    broken = load_index()
    assert broken.source == BUNDLED and "not valid JSON" in broken.notes[0]


def test_hub_offline_index_never_touches_the_network(hub_home, asset_server, monkeypatch):
    url = _serve_index(asset_server, [_entry("remote-only", "hub-remote")])
    monkeypatch.setenv("HUBCORE_INDEX_URL", url)
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    bundled = load_index()

    assert bundled.source == BUNDLED and "offline" in bundled.notes[0]
    assert asset_server.requests("index.json") == []
    monkeypatch.delenv("HUBCORE_OFFLINE")
    load_index()
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("HUBCORE_INDEX_TTL", "0")
    cached: ModuleIndex = load_index()
    assert list(cached.entries) == ["remote-only"]
    assert len(asset_server.requests("index.json")) == 1
