"""Assets published with an MD5 only, against a real HTTP server on 127.0.0.1.

They are fetched like any other asset, checked against the MD5, stored under the
sha256 computed from the same bytes, and found again through the MD5 alias.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from hubcore import Asset
from hubcore.cli import build_cli
from hubcore.hub import DownloadError, OfflineError, fetch_asset, verify_cache


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _stored(home: Path) -> list[Path]:
    root = home / "assets"
    if not root.exists():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))


def _listing(home: Path, folder: str) -> list[str]:
    root = home / folder
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def invoke(*args: str):
    return CliRunner().invoke(build_cli(), list(args), env={"COLUMNS": "200"})


@pytest.mark.parametrize("known_size", [False, True], ids=["size-unknown", "size-known"])
def test_hub_md5_download_is_verified_and_stored_under_its_sha256(
    hub_home, asset_server, make_blob, known_size
):
    data, sha = make_blob(200_000, seed=7)
    md5 = _md5(data)
    url = asset_server.serve("d/data.tar.gz", data)
    asset = Asset("data.tar.gz", "", len(data) if known_size else 0, (url,), md5=md5)

    path = fetch_asset(asset, owner="dataset 'demo'")

    assert path == hub_home / "assets" / sha / "data.tar.gz"
    assert path.read_bytes() == data
    assert (hub_home / "aliases" / "md5" / md5).read_text() == sha + "\n"
    assert set(_listing(hub_home, "locks")) == {f"md5-{md5}.lock", f"{sha}.lock"}
    assert _listing(hub_home, "partial") == []
    assert fetch_asset(asset, owner="dataset 'demo'") == path
    assert len(asset_server.requests("d/data.tar.gz")) == 1
    listed = json.loads(invoke("cache", "ls", "--json").output)
    assert [(a["sha256"], a["md5"], a["files"], a["owners"]) for a in listed] == [
        (sha, [md5], ["data.tar.gz"], ["dataset 'demo'"])
    ]
    assert verify_cache() == (1, [])


def test_hub_md5_and_sha256_are_both_checked_when_both_are_given(hub_home, asset_server, make_blob):
    data, sha = make_blob(10_000, seed=8)
    url = asset_server.serve("both.bin", data)

    with pytest.raises(DownloadError, match=r"md5 mismatch \(expected 0{32}"):
        fetch_asset(Asset("both.bin", sha, len(data), (url,), md5="0" * 32), owner="test")
    assert _stored(hub_home) == []

    path = fetch_asset(Asset("both.bin", sha, len(data), (url,), md5=_md5(data)), owner="test")
    assert path.read_bytes() == data and (hub_home / "aliases" / "md5" / _md5(data)).is_file()


def test_hub_md5_corrupt_download_caches_nothing(hub_home, asset_server, make_blob):
    data, _sha = make_blob(50_000, seed=9)
    md5 = _md5(data)
    url = asset_server.serve("bad.tar.gz", data, mode="corrupt")

    with pytest.raises(DownloadError) as caught:
        fetch_asset(Asset("bad.tar.gz", "", 0, (url,), md5=md5), owner="dataset 'demo'")

    message = str(caught.value)
    assert "'bad.tar.gz'" in message and url in message and f"md5 mismatch (expected {md5}" in message
    assert _stored(hub_home) == []
    assert _listing(hub_home, "partial") == []
    assert _listing(hub_home, "aliases/md5") == []


def test_hub_md5_cut_download_is_resumed_from_its_md5_named_partial(hub_home, asset_server, make_blob):
    data, sha = make_blob(150_000, seed=10)
    md5 = _md5(data)
    url = asset_server.serve("cut.tar.gz", data, mode="cut", cut_after=40_000)
    asset = Asset("cut.tar.gz", "", 0, (url,), md5=md5)

    with pytest.raises(DownloadError, match="to resume next time"):
        fetch_asset(asset, owner="test")
    partial = hub_home / "partial" / f"md5-{md5}.part"
    assert partial.stat().st_size == 40_000 and _stored(hub_home) == []

    path = fetch_asset(asset, owner="test")

    assert path == hub_home / "assets" / sha / "cut.tar.gz" and path.read_bytes() == data
    assert [(r.range, r.status, r.sent) for r in asset_server.requests("cut.tar.gz")] == [
        (None, 200, 40_000),
        ("bytes=40000-", 206, 110_000),
    ]
    assert not partial.exists()


def test_hub_md5_wrong_partial_is_never_trusted_and_the_download_restarted(hub_home, asset_server, make_blob):
    data, _sha = make_blob(60_000, seed=11)
    md5 = _md5(data)
    url = asset_server.serve("stale.tar.gz", data)
    stale = hub_home / "partial" / f"md5-{md5}.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"y" * 1000)

    path = fetch_asset(Asset("stale.tar.gz", "", 0, (url,), md5=md5), owner="test")

    assert path.read_bytes() == data
    assert [(r.range, r.status) for r in asset_server.requests("stale.tar.gz")] == [
        ("bytes=1000-", 206),
        (None, 200),
    ]


def test_hub_md5_offline_hit_after_download_also_under_another_name(
    hub_home, asset_server, make_blob, monkeypatch
):
    data, sha = make_blob(20_000, seed=12)
    md5 = _md5(data)
    url = asset_server.serve("o.tar.gz", data)
    online = fetch_asset(Asset("o.tar.gz", "", 0, (url,), md5=md5), owner="test")
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    assert fetch_asset(Asset("o.tar.gz", "", 0, (url,), md5=md5), owner="test") == online
    renamed = fetch_asset(Asset("renamed.tar.gz", "", len(data), (url,), md5=md5), owner="test")
    assert renamed == hub_home / "assets" / sha / "renamed.tar.gz" and renamed.read_bytes() == data
    assert len(asset_server.requests("o.tar.gz")) == 1


def test_hub_md5_offline_miss_says_how_and_touches_no_network(hub_home, asset_server, make_blob, monkeypatch):
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    data, _sha = make_blob(1000, seed=13)
    md5 = _md5(data)
    url = asset_server.serve("m.tar.gz", data)

    with pytest.raises(OfflineError) as caught:
        fetch_asset(Asset("m.tar.gz", "", 0, (url,), md5=md5), owner="dataset 'demo'")

    message = str(caught.value)
    assert "\n" not in message
    assert f"'m.tar.gz' (for dataset 'demo', md5 {md5[:12]}…)" in message and "HUBCORE_OFFLINE" in message
    assert "hubcore download demo --output DIR" in message and "hubcore cache import DIR" in message
    assert asset_server.log == []


def test_hub_md5_two_threads_transfer_once(hub_home, asset_server, make_blob):
    data, _sha = make_blob(300_000, seed=14)
    md5 = _md5(data)
    url = asset_server.serve("t.tar.gz", data, chunk_delay=0.01)
    asset = Asset("t.tar.gz", "", 0, (url,), md5=md5)
    results: list[object] = []

    def fetch() -> None:
        try:
            results.append(fetch_asset(asset, owner="test"))
        except Exception as exc:
            results.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 2 and all(isinstance(r, Path) for r in results), results
    assert len(set(results)) == 1
    assert len(asset_server.requests("t.tar.gz")) == 1


MD5_PLUGIN = """
from hubcore import Asset, ComponentSpec, hookimpl

@hookimpl
def hubcore_register_datasets(register):
    asset = Asset("corpus.tar.gz", "", 0, ({url!r},), license="CC0-1.0", md5={md5!r})
    register(ComponentSpec(name="md5demo", entry="json:loads", summary="By MD5.", assets=(asset,)))
"""


@pytest.fixture
def md5demo(make_plugin, asset_server, make_blob, hub_home, monkeypatch):
    """Plugin ``hub-md5demo``: data set ``md5demo`` whose one asset is known by its MD5 only."""
    data, sha = make_blob(90_000, seed=15)
    url = asset_server.serve("corpus.tar.gz", data)
    make_plugin("hub-md5demo", MD5_PLUGIN.format(url=url, md5=_md5(data)))
    monkeypatch.setenv("HUBCORE_LOAD_PLUGINS", "hub-md5demo")
    return data, sha


def test_hub_md5_export_then_import_on_an_offline_machine(md5demo, asset_server, tmp_path, monkeypatch):
    data, sha = md5demo
    md5 = _md5(data)
    asset = Asset("corpus.tar.gz", "", 0, (asset_server.url("corpus.tar.gz"),), md5=md5)
    export = tmp_path / "export"

    result = invoke("download", "md5demo", "--output", str(export))

    assert result.exit_code == 0, result.output
    assert (export / "corpus.tar.gz").read_bytes() == data
    manifest = json.loads((export / "hubcore-assets.json").read_text())
    assert manifest == [
        {
            "name": "corpus.tar.gz",
            "sha256": sha,
            "md5": md5,
            "size": len(data),
            "license": "CC0-1.0",
            "owner": "dataset 'md5demo'",
        }
    ]

    air_gapped = tmp_path / "air-gapped"
    monkeypatch.setenv("HUBCORE_HOME", str(air_gapped))
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    offline = invoke("download", "md5demo")
    assert offline.exit_code == 2 and "hubcore download md5demo --output DIR" in offline.output

    imported = invoke("cache", "import", str(export))

    assert imported.exit_code == 0, imported.output
    assert fetch_asset(asset, owner="test") == air_gapped / "assets" / sha / "corpus.tar.gz"
    assert invoke("download", "md5demo").exit_code == 0
    assert invoke("cache", "verify").output.strip() == "all 1 cached files match their sha256"
    assert len(asset_server.requests("corpus.tar.gz")) == 1

    removed = invoke("cache", "rm", md5[:10])
    assert removed.exit_code == 0 and "corpus.tar.gz" in removed.output
    assert _stored(air_gapped) == [] and _listing(air_gapped, "aliases/md5") == []
    with pytest.raises(OfflineError):
        fetch_asset(asset, owner="test")


def test_hub_md5_import_refuses_a_file_whose_md5_differs_from_its_manifest(md5demo, tmp_path, monkeypatch):
    export = tmp_path / "export"
    assert invoke("download", "md5demo", "--output", str(export)).exit_code == 0
    manifest = json.loads((export / "hubcore-assets.json").read_text())
    manifest[0]["md5"] = "0" * 32
    (export / "hubcore-assets.json").write_text(json.dumps(manifest))
    monkeypatch.setenv("HUBCORE_HOME", str(tmp_path / "other"))

    result = invoke("cache", "import", str(export))

    assert (
        result.exit_code == 2 and "its md5 is" in result.output and "corrupt or was replaced" in result.output
    )
    assert _stored(tmp_path / "other") == [] and _listing(tmp_path / "other", "aliases/md5") == []


def test_hub_md5_a_bare_file_imported_by_hand_serves_the_asset(md5demo, tmp_path, monkeypatch):
    data, sha = md5demo
    by_hand = tmp_path / "downloaded-elsewhere.tgz"
    by_hand.write_bytes(data)
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    assert invoke("cache", "import", str(by_hand)).exit_code == 0
    owner = "dataset 'md5demo'"
    assert invoke("cache", "rm", "md5demo").exit_code == 0  # found through the alias by owner name
    assert invoke("cache", "import", str(by_hand)).exit_code == 0

    path = fetch_asset(Asset("corpus.tar.gz", "", 0, ("http://127.0.0.1:9/x",), md5=_md5(data)), owner=owner)
    assert path.name == "corpus.tar.gz" and path.parent.name == sha and path.read_bytes() == data


def test_hub_md5_verify_reports_an_alias_that_lies(hub_home, asset_server, make_blob):
    first, sha_first = make_blob(5_000, seed=16)
    second, _sha_second = make_blob(5_000, seed=17)
    url = asset_server.serve("a.bin", first)
    fetch_asset(Asset("a.bin", "", 0, (url,), md5=_md5(first)), owner="test")
    (hub_home / "aliases" / "md5" / _md5(second)).write_text(sha_first + "\n")

    checked, problems = verify_cache()

    assert checked == 1 and len(problems) == 1
    assert problems[0].algorithm == "md5" and problems[0].expected == _md5(second)
    assert "not the" in str(problems[0]) and "its alias claims" in str(problems[0])


def test_hub_md5_cache_clear_removes_partials_and_aliases(hub_home, asset_server, make_blob):
    data, _sha = make_blob(100_000, seed=18)
    md5 = _md5(data)
    url = asset_server.serve("c.tar.gz", data, mode="cut", cut_after=30_000)
    asset = Asset("c.tar.gz", "", 0, (url,), md5=md5)
    with pytest.raises(DownloadError):
        fetch_asset(asset, owner="test")
    assert _listing(hub_home, "partial") == [f"md5-{md5}.part"]
    other, _ = make_blob(2_000, seed=19)
    fetch_asset(Asset("o.bin", "", 0, (asset_server.serve("o.bin", other),), md5=_md5(other)), owner="test")

    cleared = invoke("cache", "clear", "-y")

    assert cleared.exit_code == 0 and "removed 1 cached assets" in cleared.output
    assert _listing(hub_home, "partial") == [] and _listing(hub_home, "aliases/md5") == []
    assert _stored(hub_home) == []
