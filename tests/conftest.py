"""Shared fixtures: throwaway plugins installed as a third party would, and a local HTTP server."""

from __future__ import annotations

import http.server
import socket
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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


# -- a real HTTP server on 127.0.0.1 and an online hub home, for every test that downloads --


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
