"""Stream one URL into a partial file, resuming it with an HTTP Range request.

The caller holds the asset's lock; this module only moves bytes and says, in one
phrase, what went wrong.  Whether the bytes are the right ones is decided by the
caller from the digests returned here.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from hubcore.hub._config import Timeouts, transfer_deadline
from hubcore.hub._store import Digests, file_sha256


class TransferError(Exception):
    """One URL failed; ``keep`` says whether the partial file is worth resuming."""

    def __init__(self, message: str, *, keep: bool = True) -> None:
        super().__init__(message)
        self.keep = keep


def download(
    url: str, part: Path, size: int, timeouts: Timeouts, label: str, *, md5: bool = False
) -> Digests:
    """Complete ``part`` from ``url`` and return the digests of its whole content.

    An existing ``part`` is resumed from its length when the server honours Range;
    a server that answers with the whole body restarts it.  ``size`` 0 means unknown.
    The MD5 is only computed when asked for (``md5``), since most assets need just sha256.
    """
    import httpx

    def fresh() -> Digests:
        return Digests(md5=md5)

    if not url.startswith(("http://", "https://")):
        raise TransferError("only http:// and https:// URLs can be downloaded", keep=True)
    part.parent.mkdir(parents=True, exist_ok=True)
    start = part.stat().st_size if part.exists() else 0
    if size and start > size:
        start = _restart(part)
    digest = file_sha256(part, fresh()) if start else fresh()
    if size and start == size:
        return digest
    headers = {"Accept-Encoding": "identity"}
    if start:
        headers["Range"] = f"bytes={start}-"
    timeout = httpx.Timeout(timeouts.read, connect=timeouts.connect)
    deadline = _Deadline(transfer_deadline())
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True) as client,
            client.stream("GET", url, headers=headers) as response,
        ):
            if start and response.status_code == 416:
                raise TransferError(
                    "the server refused to resume (HTTP 416); the partial file was discarded", keep=False
                )
            if start and response.status_code == 206 and not _resumes_at(response, start):
                raise TransferError(
                    "the server resumed at the wrong offset; the partial file was discarded", keep=False
                )
            if response.status_code == 200 and start:
                start = _restart(part)
                digest = fresh()
            elif response.status_code not in (200, 206):
                raise TransferError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
            total = size or _content_length(response, start)
            with open(part, "ab") as stream, _progress(label, total, start) as advance:
                try:
                    received = start
                    for chunk in response.iter_raw():  # unbuffered: a cut keeps every byte received
                        received += len(chunk)
                        if size and received > size:
                            raise TransferError(
                                f"the server sent more than the expected {size} bytes", keep=False
                            )
                        stream.write(chunk)
                        digest.update(chunk)
                        advance(len(chunk))
                        deadline.check(received)
                finally:
                    stream.flush()
                    os.fsync(stream.fileno())
    except httpx.TimeoutException as exc:
        raise TransferError(
            f"timed out ({_kind(exc)}; connect timeout {timeouts.connect:g} s, "
            f"read timeout {timeouts.read:g} s)"
        ) from None
    except httpx.HTTPError as exc:
        raise TransferError(f"connection failed: {type(exc).__name__}: {exc}") from None
    except OSError as exc:
        raise TransferError(f"cannot write {part}: {exc}", keep=False) from None
    received = part.stat().st_size
    if size and received < size:
        raise TransferError(f"the transfer stopped after {received} of {size} bytes")
    return digest


class _Deadline:
    """The overall time limit of one transfer, besides the per-read timeout (a trickle passes that)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def check(self, received: int) -> None:
        if time.monotonic() > self.end:
            raise TransferError(
                f"not complete within the deadline of {self.seconds:g} s ({received} bytes received; "
                "HUBCORE_DOWNLOAD_DEADLINE sets it, and the partial file is kept to resume)"
            )


def _restart(part: Path) -> int:
    part.unlink(missing_ok=True)
    return 0


def _resumes_at(response: Any, start: int) -> bool:
    value = str(response.headers.get("Content-Range", ""))
    return value.replace(" ", "").lower().startswith(f"bytes{start}-")


def _content_length(response: Any, start: int) -> int:
    try:
        return int(response.headers.get("Content-Length", "")) + start
    except ValueError:
        return 0


def _kind(exc: Exception) -> str:
    import httpx

    if isinstance(exc, httpx.ConnectTimeout):
        return "no connection"
    if isinstance(exc, httpx.ReadTimeout):
        return "the server stopped sending"
    return type(exc).__name__


@contextlib.contextmanager
def _progress(label: str, total: int, done: int) -> Iterator[Callable[[int], None]]:
    """A rich progress bar on an interactive stderr; silent otherwise (logs, CI, pipes)."""
    if not sys.stderr.isatty():
        yield lambda _count: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total or None, completed=done)
        yield lambda count: bar.advance(task, count)
