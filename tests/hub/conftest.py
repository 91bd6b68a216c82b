"""Fixtures for the module-management tests: a real HTTP server on 127.0.0.1 and a clean hub home."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Served:
    """What the server answers for one path, and how it misbehaves."""

    body: bytes
    mode: str = "ok"  # ok | cut | stall | corrupt | status | norange
    status: int = 200
    cut_after: int = 0
    chunk_delay: float = 0.0


@dataclass
class Request:
    path: str
    range: str | None
    status: int
    sent: int


@dataclass
class AssetServer:
    """A threading HTTP server whose every request is logged with the bytes it sent."""

    host: str
    port: int
    routes: dict[str, Served] = field(default_factory=dict)
    log: list[Request] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    in_flight: int = 0

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}/{path.lstrip('/')}"

    def serve(self, path: str, body: bytes, **how: Any) -> str:
        self.routes["/" + path.lstrip("/")] = Served(body, **how)
        return self.url(path)

    def requests(self, path: str) -> list[Request]:
        """The logged requests for a path, once every handler has finished logging."""
        deadline = time.monotonic() + 10
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.01)
        with self.lock:
            return [r for r in self.log if r.path == "/" + path.lstrip("/")]


def _handler(server: AssetServer) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # keep pytest's output clean
            pass

        def do_GET(self) -> None:
            with server.lock:
                server.in_flight += 1
            served = server.routes.get(self.path)
            range_header = self.headers.get("Range")
            status, sent = 404, 0
            try:
                if served is None:
                    status = 404
                    self._empty(404)
                elif served.mode == "status":
                    status = served.status
                    self._empty(status)
                else:
                    status, sent = self._body(served, range_header)
            finally:
                with server.lock:
                    server.log.append(Request(self.path, range_header, status, sent))
                    server.in_flight -= 1

        def _empty(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _body(self, served: Served, range_header: str | None) -> tuple[int, int]:
            body = served.body
            if served.mode == "corrupt":
                body = bytes(b ^ 0x55 for b in body)
            start = 0
            if range_header and served.mode != "norange":
                start = int(range_header.removeprefix("bytes=").split("-")[0])
            status = 206 if start else 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(body) - start))
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
            self.end_headers()
            payload = body[start:]
            if served.mode == "stall":
                self.wfile.write(payload[:100])
                self.wfile.flush()
                server.release.wait(30)
                self.close_connection = True
                return status, 100
            if served.mode == "cut" and not range_header:
                self.wfile.write(payload[: served.cut_after])
                self.wfile.flush()
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return status, served.cut_after
            sent = 0
            for offset in range(0, len(payload), 1 << 16):
                chunk = payload[offset : offset + (1 << 16)]
                self.wfile.write(chunk)
                sent += len(chunk)
                if served.chunk_delay:
                    time.sleep(served.chunk_delay)
            return status, sent

    return Handler


@pytest.fixture
def asset_server() -> Any:
    """A live server on 127.0.0.1; its routes and request log are per test."""
    state = AssetServer("127.0.0.1", 0)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    state.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def hub_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty HUBCORE_HOME, online, with short timeouts and no proxy."""
    home = tmp_path / "hubhome"
    monkeypatch.setenv("HUBCORE_HOME", str(home))
    monkeypatch.delenv("HUBCORE_OFFLINE", raising=False)
    monkeypatch.delenv("HUBCORE_INDEX_URL", raising=False)
    monkeypatch.setenv("HUBCORE_CONNECT_TIMEOUT", "5")
    monkeypatch.setenv("HUBCORE_READ_TIMEOUT", "5")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def make_blob() -> Any:
    """Deterministic pseudo-random bytes of a given size, with their sha256."""

    def make(size: int, seed: int = 0) -> tuple[bytes, str]:
        out = bytearray()
        counter = 0
        while len(out) < size:
            out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
            counter += 1
        data = bytes(out[:size])
        return data, hashlib.sha256(data).hexdigest()

    return make


_FETCH_SCRIPT = """
import json, sys
from hubcore import Asset
from hubcore import HubcoreError
from hubcore.hub import fetch_asset
spec = json.loads(sys.argv[1])
try:
    path = fetch_asset(Asset(spec["name"], spec["sha256"], spec["size"], tuple(spec["urls"])), owner="test")
except HubcoreError as exc:
    print("ERROR", exc)
    sys.exit(3)
print("PATH", path)
"""


@pytest.fixture
def fetch_in_process() -> Any:
    """Start ``fetch_asset`` in a new Python process; returns the Popen (stdout piped)."""

    def start(asset: dict[str, Any]) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", _FETCH_SCRIPT, json.dumps(asset)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=dict(os.environ),
        )

    return start
