"""The content-addressed asset store under the hub's home.

Layout, all below ``cache_dir()``::

    assets/<sha256>/<file name>     verified content, one folder per digest
    assets/<sha256>/.hubcore.json   names, owners, URLs, licence and MD5s seen for it
    aliases/md5/<md5>               the sha256 of the stored content with that MD5
    partial/<key>.part              an interrupted download, resumed by the next one
    locks/<key>.lock                serialises every writer of one asset
    datasets/<name>/                a data set unpacked from its verified archive
    locks/dataset-<name>.lock       serialises every writer of one data set's folder

``<key>`` is the asset's sha256, or ``md5-<md5>`` for an asset published with an MD5
only (see ``Asset.key``).  A file only ever enters ``assets/`` by an atomic rename after
its digest was checked, so anything found there is complete; an MD5 alias is written
only after the MD5 of those same bytes was computed, and only once they are stored, so
an alias never vouches for content nobody hashed.  Asset names cannot start with a dot,
so the metadata file never collides with content.
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

from hubcore._errors import HubcoreError
from hubcore._patterns import MD5 as _MD5
from hubcore._patterns import NAME as DATASET_NAME
from hubcore._patterns import SHA256 as _SHA256
from hubcore._specs import Asset
from hubcore.hub._config import cache_dir

META_NAME = ".hubcore.json"
_CHUNK = 1 << 20


def assets_root() -> Path:
    return cache_dir() / "assets"


def aliases_root() -> Path:
    """The folder of MD5 aliases: one small file per MD5, holding a sha256."""
    return cache_dir() / "aliases" / "md5"


def partial_path(key: str) -> Path:
    """Where the interrupted download of an asset (by ``Asset.key``) is kept, so any process can resume it."""
    return cache_dir() / "partial" / f"{key}.part"


class Digests:
    """The sha256 of a stream, and its MD5 too when asked for, fed in one pass."""

    def __init__(self, *, md5: bool = False) -> None:
        self._sha256 = hashlib.sha256()
        self._md5 = hashlib.md5(usedforsecurity=False) if md5 else None

    def update(self, chunk: bytes) -> None:
        self._sha256.update(chunk)
        if self._md5 is not None:
            self._md5.update(chunk)

    @property
    def sha256(self) -> str:
        return self._sha256.hexdigest()

    @property
    def md5(self) -> str:
        """The MD5 in hex, or "" when it was not asked for."""
        return self._md5.hexdigest() if self._md5 is not None else ""

    def hexdigest(self) -> str:
        """The sha256, so that this stands in for a hashlib object."""
        return self.sha256


def file_sha256(path: Path, digest: Any = None) -> Any:
    """Feed a file to a sha256 object, or any object with ``update`` (a new sha256 unless given)."""
    digest = hashlib.sha256() if digest is None else digest
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest


@contextlib.contextmanager
def asset_lock(key: str) -> Iterator[None]:
    """Hold the lock of one digest or ``Asset.key``, saying so on stderr if another process has it.

    A holder of an ``md5-`` key may then take a sha256 lock, never the other way round.
    """
    shown = key[:16] if key.startswith("md5-") else key[:12]
    with _held(cache_dir() / "locks" / f"{key}.lock", f"another download of {shown}"):
        yield


def dataset_dir(name: str) -> Path:
    """The folder where data set ``name`` is unpacked: ``datasets/<name>`` in the hub's home.

    Only the store builds paths in the cache, so that its layout is decided in one place;
    a data set writes its folder under :func:`dataset_lock`, by renaming a finished one in.
    """
    return cache_dir() / "datasets" / _dataset_name(name)


@contextlib.contextmanager
def dataset_lock(name: str) -> Iterator[Path]:
    """Hold the lock that serialises every writer of data set ``name``; yields its folder.

    Another process unpacking the same data set waits (saying so on stderr), so two
    never write the same folder; readers need no lock, as the folder is swapped in whole.
    """
    with _held(cache_dir() / "locks" / f"dataset-{_dataset_name(name)}.lock", f"another unpacking of {name}"):
        yield dataset_dir(name)


def _dataset_name(name: str) -> str:
    if not isinstance(name, str) or not DATASET_NAME.match(name):
        raise HubcoreError(
            f"data set name {name!r} must be lowercase letters, digits, '.', '_' or '-' (a folder name)"
        )
    return name


@contextlib.contextmanager
def _held(path: Path, waiting_for: str) -> Iterator[None]:
    """Hold a file lock, saying on stderr what it waits for when another process has it."""
    import filelock

    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path))
    try:
        lock.acquire(timeout=0)
    except filelock.Timeout:
        print(f"hubcore: waiting for {waiting_for}…", file=sys.stderr)
        lock.acquire()
    try:
        yield
    finally:
        lock.release()


def resolve_md5(md5: str) -> str | None:
    """The sha256 that content with this MD5 was stored under, or None; the content may since be gone."""
    if not _MD5.match(md5):
        return None
    try:
        sha256 = (aliases_root() / md5).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return sha256 if _SHA256.match(sha256) else None


def stored_sha256(asset: Asset) -> str | None:
    """The digest an asset is (or would be) stored under: its own sha256, else its MD5's alias."""
    return asset.sha256 or resolve_md5(asset.md5)


def write_md5_alias(md5: str, sha256: str) -> None:
    """Record, durably and atomically, that the content stored under ``sha256`` has this MD5.

    Only call it under the lock of ``sha256``, with an MD5 computed from those bytes.
    """
    path = aliases_root() / md5
    write_text_atomic(path, sha256 + "\n")
    _fsync_dir(path.parent)


def md5_aliases() -> dict[str, list[str]]:
    """Every alias, as sha256 -> the MD5s that point to it."""
    found: dict[str, list[str]] = {}
    root = aliases_root()
    for path in sorted(root.iterdir()) if root.is_dir() else []:
        if not _MD5.match(path.name):
            continue
        try:
            sha256 = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        found.setdefault(sha256, []).append(path.name)
    return found


def lookup(asset: Asset, *, adopt: bool = False) -> Path | None:
    """The cached file of an asset, or None.

    With ``adopt`` (only under the lock of the stored sha256), content cached under
    another file name, for instance imported by hand, is linked to the asset's own name.
    """
    sha256 = stored_sha256(asset)
    if sha256 is None:
        return None
    folder = assets_root() / sha256
    target = folder / asset.name
    if _complete(target, asset.size):
        return target
    if not adopt or not folder.is_dir():
        return None
    for other in sorted(folder.iterdir()):
        if other.name.startswith(".") or not _complete(other, asset.size):
            continue
        _link_or_copy(other, target)
        record(sha256, names=[asset.name])
        return target
    return None


def add_verified(source: Path, sha256: str, name: str, *, md5: str = "", **meta: Any) -> Path:
    """Move an already verified file into the store, atomically; ``source`` is consumed.

    Call it under the lock of ``sha256``.  ``md5``, computed from the same bytes, is
    recorded as an alias once the content is in place.
    """
    folder = assets_root() / sha256
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / name
    os.replace(source, target)
    _fsync_dir(folder)
    record(sha256, names=[name], md5s=[md5] if md5 else [], **meta)
    if md5:
        write_md5_alias(md5, sha256)
    return target


def record(
    sha256: str,
    *,
    names: Sequence[str] = (),
    owners: Sequence[str] = (),
    urls: Sequence[str] = (),
    license: str = "",
    size: int | None = None,
    md5s: Sequence[str] = (),
) -> None:
    """Merge what is known about a digest into its metadata file."""
    path = assets_root() / sha256 / META_NAME
    meta = read_meta(path)
    for key, values in (("names", names), ("owners", owners), ("urls", urls), ("md5", md5s)):
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
    md5: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "md5": self.md5,
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
    aliases = md5_aliases()
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
                md5=aliases.get(folder.name, []),
            )
        )
    return sorted(found, key=lambda item: (item.files[0], item.sha256))


def remove_digest(key: str) -> None:
    """Forget one digest (or ``md5-`` key): its files, metadata, MD5 aliases and partial download."""
    with asset_lock(key):
        if _SHA256.match(key):
            shutil.rmtree(assets_root() / key, ignore_errors=True)
            for md5 in md5_aliases().get(key, []):
                with contextlib.suppress(FileNotFoundError):
                    (aliases_root() / md5).unlink()
        with contextlib.suppress(FileNotFoundError):
            partial_path(key).unlink()


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
