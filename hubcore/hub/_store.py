"""The content-addressed asset store under the hub's home.

Layout, all below ``cache_dir()``::

    assets/<sha256>/<file name>     verified content, one folder per digest
    assets/<sha256>/.hubcore.json   names, owners, URLs and licence seen for it
    partial/<sha256>.part           an interrupted download, resumed by the next one
    locks/<sha256>.lock             serialises every writer of one digest

A file only ever enters ``assets/`` by an atomic rename after its digest was checked,
so anything found there is complete.  Asset names cannot start with a dot, so the
metadata file never collides with content.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hubcore._specs import Asset
from hubcore.hub._config import cache_dir

META_NAME = ".hubcore.json"
_CHUNK = 1 << 20


def assets_root() -> Path:
    return cache_dir() / "assets"


def partial_path(sha256: str) -> Path:
    """Where the interrupted download of a digest is kept, so any process can resume it."""
    return cache_dir() / "partial" / f"{sha256}.part"


def file_sha256(path: Path, digest: Any = None) -> Any:
    """Feed a file to a sha256 object (a new one unless given) and return it."""
    digest = hashlib.sha256() if digest is None else digest
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest


@contextlib.contextmanager
def asset_lock(sha256: str) -> Iterator[None]:
    """Hold the lock of one digest, saying so on stderr if another process has it."""
    import filelock

    path = cache_dir() / "locks" / f"{sha256}.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        print(f"hubcore: waiting for another download of {sha256[:12]}…", file=sys.stderr)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def lookup(asset: Asset, *, adopt: bool = False) -> Path | None:
    """The cached file of an asset, or None.

    With ``adopt`` (only under the asset's lock), content cached under another file
    name, for instance imported by hand, is linked to the asset's own name.
    """
    folder = assets_root() / asset.sha256
    target = folder / asset.name
    if _complete(target, asset.size):
        return target
    if not adopt or not folder.is_dir():
        return None
    for other in sorted(folder.iterdir()):
        if other.name.startswith(".") or not _complete(other, asset.size):
            continue
        _link_or_copy(other, target)
        record(asset.sha256, names=[asset.name])
        return target
    return None


def add_verified(source: Path, sha256: str, name: str, **meta: Any) -> Path:
    """Move an already verified file into the store, atomically; ``source`` is consumed."""
    folder = assets_root() / sha256
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.replace(source, target)
    _fsync_dir(folder)
    record(sha256, names=[name], **meta)
    return target


def record(
    sha256: str,
    *,
    names: Sequence[str] = (),
    owners: Sequence[str] = (),
    urls: Sequence[str] = (),
    license: str = "",
    size: int | None = None,
) -> None:
    """Merge what is known about a digest into its metadata file."""
    path = assets_root() / sha256 / META_NAME
    meta = read_meta(path)
    for key, values in (("names", names), ("owners", owners), ("urls", urls)):
        merged = list(meta.get(key, []))
        merged += [value for value in values if value and value not in merged]
        meta[key] = merged
    if license:
        meta["license"] = license
    if size is not None:
        meta["size"] = size
    meta.setdefault("added", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    write_text_atomic(path, json.dumps(meta, indent=2, ensure_ascii=False) + "\n")


def read_meta(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_text_atomic(path: Path, text: str) -> None:
    """Write beside the target, fsync, then rename, so readers see old or new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def staging_file() -> Path:
    """A unique path in the partial/ folder (same file system as the store) for a copy."""
    folder = cache_dir() / "partial"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"import-{uuid.uuid4().hex}.tmp"


@dataclass
class CachedAsset:
    """One digest in the store, as ``hubcore cache ls`` shows it."""

    sha256: str
    folder: Path
    files: list[str]
    size: int
    names: list[str] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    license: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "path": str(self.folder),
            "files": self.files,
            "size": self.size,
            "owners": self.owners,
            "urls": self.urls,
            "license": self.license,
        }


def cached_assets() -> list[CachedAsset]:
    """Every digest in the store, ordered by the first name it was cached under."""
    root = assets_root()
    found = []
    for folder in sorted(root.iterdir()) if root.is_dir() else []:
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        files = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))
        if not files:
            continue
        meta = read_meta(folder / META_NAME)
        found.append(
            CachedAsset(
                sha256=folder.name,
                folder=folder,
                files=files,
                size=(folder / files[0]).stat().st_size,
                names=list(meta.get("names", [])),
                owners=list(meta.get("owners", [])),
                urls=list(meta.get("urls", [])),
                license=str(meta.get("license", "")),
            )
        )
    return sorted(found, key=lambda item: (item.files[0], item.sha256))


def remove_digest(sha256: str) -> None:
    """Forget one digest: its files, metadata and any partial download."""
    with asset_lock(sha256):
        shutil.rmtree(assets_root() / sha256, ignore_errors=True)
        with contextlib.suppress(FileNotFoundError):
            partial_path(sha256).unlink()


def _complete(path: Path, size: int) -> bool:
    try:
        return path.is_file() and (size == 0 or path.stat().st_size == size)
    except OSError:
        return False


def _link_or_copy(source: Path, target: Path) -> None:
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}.tmp")
    try:
        os.link(source, tmp)
    except OSError:
        shutil.copyfile(source, tmp)
    os.replace(tmp, target)


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible (nor needed) on Windows.
    if os.name != "posix":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
