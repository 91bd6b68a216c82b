"""Network and index hardening (issue 10): deadlines, index limits and sanitising, odd files in imports."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

import hubcore
from hubcore import Asset
from hubcore.cli import build_cli
from hubcore.hub import fetch_asset, import_into_cache, load_index


class TricklingServer:
    """Answers every GET with a 200 header, then one byte of the body every ``interval`` seconds."""

    def __init__(self, body: bytes, interval: float) -> None:
        self.body, self.interval = body, interval
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(4)
        self.port = self.listener.getsockname()[1]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        with connection:
            try:
                connection.recv(65536)
                header = f"HTTP/1.1 200 OK\r\nContent-Length: {len(self.body)}\r\nConnection: close\r\n\r\n"
                connection.sendall(header.encode())
                for byte in self.body:
                    if self.stop.wait(self.interval):
                        return
                    connection.sendall(bytes([byte]))
            except OSError:
                return


@pytest.fixture
def trickle() -> Iterator[TricklingServer]:
    # 40 bytes at one per 0.2 s: 8 s in all, while every read comes well within the read timeout.
    server = TricklingServer(b'{"format": 1, "modules": []}'.ljust(40), 0.2)
    yield server
    server.stop.set()
    server.listener.close()


def test_a_trickling_asset_server_fails_within_the_overall_deadline(
    hub_home: Path, trickle: TricklingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_DOWNLOAD_DEADLINE", "1")
    url = trickle.url("slow.bin")
    asset = Asset("slow.bin", "0" * 64, 40, (url,))
    started = time.monotonic()
    with pytest.raises(hubcore.HubcoreError) as raised:
        fetch_asset(asset, owner="test")
    elapsed = time.monotonic() - started
    message = str(raised.value)
    assert elapsed < 5, f"took {elapsed:.1f} s: the deadline did not stop the trickle"
    assert "\n" not in message and url in message and "deadline of 1 s" in message


def test_a_trickling_index_server_falls_back_within_the_index_deadline(
    hub_home: Path, trickle: TricklingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_INDEX_URL", trickle.url("index.json"))
    monkeypatch.setenv("HUBCORE_INDEX_DEADLINE", "1")
    started = time.monotonic()
    index = load_index()
    assert time.monotonic() - started < 5
    assert index.source == "bundled index"
    assert any(trickle.url("index.json") in note and "deadline" in note for note in index.notes), index.notes


def _serve_index(asset_server: object, body: bytes, monkeypatch: pytest.MonkeyPatch) -> str:
    url: str = asset_server.serve("index.json", body)  # type: ignore[attr-defined]
    monkeypatch.setenv("HUBCORE_INDEX_URL", url)
    return url


def test_an_oversized_index_is_refused_while_streaming(
    hub_home: Path, asset_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hubcore.hub import _index

    monkeypatch.setattr(_index, "MAX_INDEX_BYTES", 1 << 16, raising=False)
    padding = " " * (1 << 20)  # valid JSON, 1 MiB, far over the (lowered) limit
    url = _serve_index(asset_server, ('{"format": 1, "modules": []' + padding + "}").encode(), monkeypatch)
    index = load_index()
    assert index.source == "bundled index"
    assert any(url in note and "larger than the limit" in note for note in index.notes), index.notes


def test_a_deeply_nested_index_falls_back_to_the_cached_then_bundled_one(
    hub_home: Path, asset_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = {
        "format": 1,
        "modules": [
            {"name": "cached-one", "requirement": "hub-cached-one", "versions": [{"version": "1.0"}]}
        ],
    }
    url = _serve_index(asset_server, json.dumps(good).encode(), monkeypatch)
    assert "cached-one" in load_index().entries  # fetched and cached
    nested = '{"format": 1, "modules": [], "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    asset_server.serve("index.json", nested.encode())  # type: ignore[attr-defined]
    index = load_index(refresh=True)
    assert index.source == f"cached index of {url}" and "cached-one" in index.entries
    assert any("cannot use the index" in note for note in index.notes)
    for cached in (hub_home / "index").iterdir():
        cached.unlink()
    index = load_index(refresh=True)
    assert index.source == "bundled index" and "lac" in index.entries


def test_index_strings_reach_the_terminal_without_control_characters(
    hub_home: Path, asset_server: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = {
        "format": 1,
        "modules": [
            {
                "name": "shiny",
                "requirement": "hub-shiny",
                "summary": "nice\x1b]0;owned\x07\x1b[2J model\r\x9b31m [link=file:///etc]click[/link]",
                "type": "nlp/\x1b[31mred",
                "keywords": ["k\x1b[1m"],
                "versions": [{"version": "1.0"}],
            }
        ],
    }
    _serve_index(asset_server, json.dumps(evil).encode(), monkeypatch)
    entry = load_index().find("shiny")
    for text in (entry.summary, entry.type, *entry.keywords):
        assert not any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
    result = CliRunner().invoke(build_cli(), ["search", "shiny"], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output and "\x9b" not in result.output
    assert "[link=file:///etc]" in result.output  # shown as text, not turned into a rich hyperlink


def test_cache_import_refuses_a_fifo_a_device_and_odd_folder_entries_at_once(
    hub_home: Path, tmp_path: Path
) -> None:
    fifo = tmp_path / "weights.fifo"
    os.mkfifo(fifo)
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            import_into_cache(fifo)
        except hubcore.HubcoreError as exc:
            outcome["error"] = str(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(5)
    if worker.is_alive():  # unblock the reader a FIFO without writer would hold forever
        with open(fifo, "wb"):
            pass
        worker.join(5)
        pytest.fail("cache import blocked on a FIFO instead of refusing it")
    assert "named pipe (FIFO)" in str(outcome.get("error")), outcome
    with pytest.raises(hubcore.HubcoreError, match="character device, not a regular file"):
        import_into_cache(Path("/dev/zero"))  # would never end
    folder = tmp_path / "export"
    (folder / "nested").mkdir(parents=True)
    (folder / "a.bin").write_bytes(b"a")
    with pytest.raises(hubcore.HubcoreError, match="'nested' is a folder, not a regular file"):
        import_into_cache(folder)
    assert not (hub_home / "assets").exists() or not any((hub_home / "assets").iterdir())
    result = CliRunner().invoke(build_cli(), ["cache", "import", "/dev/zero"])
    assert result.exit_code != 0 and "character device" in result.output and "Traceback" not in result.output
