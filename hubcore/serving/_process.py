"""Starting uvicorn with N workers, and ``hubcore serving stop -p PORT`` finding the server again.

A started server records its process id in ``$HUBCORE_HOME/serving/<port>.pid``; ``stop`` sends
that process SIGTERM, which uvicorn answers by refusing new connections, finishing the requests
in flight (the batchers drain their queues) and exiting.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, NamedTuple

from hubcore._errors import HubcoreError
from hubcore.serving._config import ServingConfig

GRACEFUL_SHUTDOWN_S = 30


class Protocols(NamedTuple):
    """uvicorn's event loop and HTTP parser."""

    loop: Literal["uvloop", "asyncio"]
    http: Literal["httptools", "h11"]


def protocols() -> Protocols:
    """uvloop and httptools when installed (the serving extra brings them where they build),
    else asyncio's loop and h11: the same server, at more CPU per request."""
    return Protocols(
        loop="uvloop" if importlib.util.find_spec("uvloop") else "asyncio",
        http="httptools" if importlib.util.find_spec("httptools") else "h11",
    )


def pid_file(port: int) -> Path:
    """Where the server on ``port`` records its process id."""
    from hubcore.hub._config import cache_dir

    return cache_dir() / "serving" / f"{port}.pid"


@contextlib.contextmanager
def recorded_pid(port: int) -> Iterator[Path]:
    """Record this process as the server on ``port`` while it runs; refuse a live duplicate."""
    path = pid_file(port)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = _read_pid(path)
    if old is not None and old != os.getpid() and _alive(old):
        raise HubcoreError(
            f"a server (pid {old}) already runs on port {port}; `hubcore serving stop -p {port}`"
        )
    staging = path.with_suffix(".partial")
    staging.write_text(str(os.getpid()), encoding="ascii")
    staging.replace(path)
    try:
        yield path
    finally:
        if _read_pid(path) == os.getpid():
            path.unlink(missing_ok=True)


def serve(config: ServingConfig) -> None:
    """Run the server in the foreground until SIGINT/SIGTERM; one model copy per worker."""
    import uvicorn

    from hubcore.serving._app import CONFIG_ENV

    os.environ[CONFIG_ENV] = config.to_json()
    # uvicorn finishes in-flight work on SIGTERM, then re-raises the signal to the handler it
    # found: make that handler a clean exit, so `serving stop` ends the process with status 0.
    signal.signal(signal.SIGTERM, _exit_cleanly)
    chosen = protocols()
    with recorded_pid(config.port), _metrics_dir(config.workers):
        uvicorn.run(
            "hubcore.serving._app:app_from_environment",
            factory=True,
            host=config.host,
            port=config.port,
            workers=config.workers,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            log_level="info",
            loop=chosen.loop,
            http=chosen.http,
            access_log=False,  # a log line per request costs more than a LAC sentence
        )


def _exit_cleanly(signum: int, frame: object) -> None:
    raise SystemExit(0)


@contextlib.contextmanager
def _metrics_dir(workers: int) -> Iterator[None]:
    """With several workers, Prometheus figures go through files that /metrics sums."""
    if workers == 1 or os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="hubcore-metrics-") as folder:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
        try:
            yield
        finally:
            del os.environ["PROMETHEUS_MULTIPROC_DIR"]


def stop(port: int, timeout_s: float = GRACEFUL_SHUTDOWN_S + 10) -> int:
    """Ask the server on ``port`` to finish its work and exit; wait for it; return its pid."""
    path = pid_file(port)
    pid = _read_pid(path)
    if pid is None or not _alive(pid):
        path.unlink(missing_ok=True)
        raise HubcoreError(f"no hubcore server runs on port {port} (no live process in {path})")
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            path.unlink(missing_ok=True)
            return pid
        time.sleep(0.1)
    raise HubcoreError(f"the server on port {port} (pid {pid}) did not stop within {timeout_s:g} s")


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # An exited process that its parent has not reaped yet (a zombie) is no server.
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return True  # no /proc (macOS): trust the signal check
    return stat.rpartition(")")[2].split()[:1] != ["Z"]
