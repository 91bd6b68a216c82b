"""The verified asset cache against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

import pytest

from hubcore import Asset
from hubcore.hub import DownloadError, OfflineError, cache_dir, fetch_asset


def _cached_files(home: Path) -> list[Path]:
    root = home / "assets"
    return (
        sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))
        if root.exists()
        else []
    )


def _partials(home: Path) -> list[Path]:
    root = home / "partial"
    return sorted(root.iterdir()) if root.exists() else []


def test_hub_good_download_is_verified_cached_and_not_fetched_again(hub_home, asset_server, make_blob):
    data, sha = make_blob(300_000)
    url = asset_server.serve("w/model.bin", data)
    asset = Asset("model.bin", sha, len(data), (url,), license="MIT")

    path = fetch_asset(asset, owner="module 'demo'")

    assert cache_dir() == hub_home
    assert path == hub_home / "assets" / sha / "model.bin"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    assert fetch_asset(asset, owner="module 'demo'") == path
    assert len(asset_server.requests("w/model.bin")) == 1
    assert _partials(hub_home) == []


def test_hub_corrupt_download_caches_nothing_and_names_asset_and_url(hub_home, asset_server, make_blob):
    data, sha = make_blob(50_000)
    url = asset_server.serve("bad.bin", data, mode="corrupt")

    with pytest.raises(DownloadError) as caught:
        fetch_asset(Asset("bad.bin", sha, len(data), (url,)), owner="module 'demo'")

    message = str(caught.value)
    assert "'bad.bin'" in message and url in message and "sha256 mismatch" in message
    assert "module 'demo'" in message
    assert _cached_files(hub_home) == []
    assert _partials(hub_home) == []


@pytest.mark.parametrize("status", [404, 500])
def test_hub_http_error_caches_nothing_and_says_status(hub_home, asset_server, make_blob, status):
    data, sha = make_blob(1000)
    url = asset_server.serve("gone.bin", b"", mode="status", status=status)

    with pytest.raises(DownloadError) as caught:
        fetch_asset(Asset("gone.bin", sha, len(data), (url,)), owner="module 'demo'")

    message = str(caught.value)
    assert f"HTTP {status}" in message and url in message and "'gone.bin'" in message
    assert _cached_files(hub_home) == []


def test_hub_mirrors_are_tried_in_order(hub_home, asset_server, make_blob):
    data, sha = make_blob(20_000)
    dead = asset_server.serve("m1/x.bin", b"", mode="status", status=404)
    good = asset_server.serve("m2/x.bin", data)
    unused = asset_server.serve("m3/x.bin", data)

    path = fetch_asset(Asset("x.bin", sha, len(data), (dead, good, unused)), owner="test")

    assert path.read_bytes() == data
    assert [len(asset_server.requests(p)) for p in ("m1/x.bin", "m2/x.bin", "m3/x.bin")] == [1, 1, 0]


def test_hub_stalled_server_times_out_and_caches_nothing(hub_home, asset_server, make_blob, monkeypatch):
    monkeypatch.setenv("HUBCORE_READ_TIMEOUT", "0.5")
    data, sha = make_blob(10_000)
    url = asset_server.serve("slow.bin", data, mode="stall")

    with pytest.raises(DownloadError) as caught:
        fetch_asset(Asset("slow.bin", sha, len(data), (url,)), owner="test")

    message = str(caught.value)
    assert "timed out" in message and "read timeout 0.5 s" in message and url in message
    assert _cached_files(hub_home) == []


def test_hub_cut_download_is_resumed_by_a_second_process(hub_home, asset_server, make_blob, fetch_in_process):
    data, sha = make_blob(400_000)
    url = asset_server.serve("big.bin", data, mode="cut", cut_after=150_000)
    spec = {"name": "big.bin", "sha256": sha, "size": len(data), "urls": [url]}

    first = fetch_in_process(spec)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 3, err
    assert "'big.bin'" in out and url in out
    assert "stopped after 150000 of 400000 bytes" in out or "connection failed" in out
    assert _cached_files(hub_home) == []
    assert [p.stat().st_size for p in _partials(hub_home)] == [150_000]

    second = fetch_in_process(spec)
    out, err = second.communicate(timeout=60)
    assert second.returncode == 0, out + err

    path = Path(out.split("PATH ", 1)[1].strip())
    assert hashlib.sha256(path.read_bytes()).hexdigest() == sha
    log = asset_server.requests("big.bin")
    assert [(r.range, r.status, r.sent) for r in log] == [
        (None, 200, 150_000),
        ("bytes=150000-", 206, 250_000),
    ]
    assert _partials(hub_home) == []


def test_hub_four_processes_transfer_once(hub_home, asset_server, make_blob, fetch_in_process):
    data, sha = make_blob(1_000_000)
    url = asset_server.serve("shared.bin", data, chunk_delay=0.05)  # ~0.8 s, so the processes overlap
    spec = {"name": "shared.bin", "sha256": sha, "size": len(data), "urls": [url]}

    procs = [fetch_in_process(spec) for _ in range(4)]
    results = [p.communicate(timeout=120) for p in procs]

    assert [p.returncode for p in procs] == [0, 0, 0, 0], results
    paths = {Path(out.split("PATH ", 1)[1].strip()) for out, _ in results}
    assert len(paths) == 1
    assert hashlib.sha256(paths.pop().read_bytes()).hexdigest() == sha
    assert [(r.status, r.sent) for r in asset_server.requests("shared.bin")] == [(200, len(data))]


def test_hub_four_threads_transfer_once(hub_home, asset_server, make_blob):
    data, sha = make_blob(600_000)
    url = asset_server.serve("t.bin", data, chunk_delay=0.02)
    asset = Asset("t.bin", sha, len(data), (url,))
    results: list[Path | BaseException] = []

    def worker() -> None:
        try:
            results.append(fetch_asset(asset, owner="test"))
        except BaseException as exc:
            results.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 4 and all(isinstance(r, Path) for r in results), results
    assert len(set(results)) == 1
    assert len(asset_server.requests("t.bin")) == 1


def test_hub_offline_fails_at_once_without_network_and_says_how(
    hub_home, asset_server, make_blob, monkeypatch
):
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    data, sha = make_blob(1000)
    url = asset_server.serve("o.bin", data)

    with pytest.raises(OfflineError) as caught:
        fetch_asset(Asset("o.bin", sha, len(data), (url,)), owner="module 'demo'")

    message = str(caught.value)
    assert "'o.bin'" in message and "HUBCORE_OFFLINE" in message
    assert "hubcore download demo --output DIR" in message and "hubcore cache import" in message
    assert asset_server.log == []


def test_hub_offline_uses_what_is_cached(hub_home, asset_server, make_blob, monkeypatch):
    data, sha = make_blob(1000)
    asset = Asset("o.bin", sha, len(data), (asset_server.serve("o.bin", data),))
    online = fetch_asset(asset, owner="test")
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")

    assert fetch_asset(asset, owner="test") == online
    assert len(asset_server.requests("o.bin")) == 1


def test_hub_stale_partial_file_is_discarded_and_the_download_restarted(hub_home, asset_server, make_blob):
    data, sha = make_blob(80_000)
    url = asset_server.serve("p.bin", data)
    stale = hub_home / "partial" / f"{sha}.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"x" * 1000)  # left by some other, wrong transfer

    path = fetch_asset(Asset("p.bin", sha, len(data), (url,)), owner="test")

    assert path.read_bytes() == data
    assert [(r.range, r.status) for r in asset_server.requests("p.bin")] == [
        ("bytes=1000-", 206),
        (None, 200),
    ]
    assert _partials(hub_home) == []


def test_hub_server_ignoring_range_restarts_from_the_first_byte(hub_home, asset_server, make_blob):
    data, sha = make_blob(80_000)
    url = asset_server.serve("n.bin", data, mode="norange")
    partial = hub_home / "partial" / f"{sha}.part"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(data[:30_000])

    path = fetch_asset(Asset("n.bin", sha, len(data), (url,)), owner="test")

    assert path.read_bytes() == data
    assert [(r.range, r.status, r.sent) for r in asset_server.requests("n.bin")] == [
        ("bytes=30000-", 200, len(data))
    ]
