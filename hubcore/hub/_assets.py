"""Get a module's files into the verified cache: from the cache, the network or by hand.

Every path into the store goes through a digest check and an atomic rename, under the
lock of that digest, so concurrent threads and processes transfer an asset once and
nobody ever sees half a file.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from pathlib import Path
from typing import Any

from hubcore._errors import HubcoreError
from hubcore._specs import Asset
from hubcore.hub import _store
from hubcore.hub._config import Timeouts, cache_dir, is_offline, timeouts
from hubcore.hub._download import TransferError, download
from hubcore.hub._errors import DownloadError, OfflineError

MANIFEST_NAME = "hubcore-assets.json"
_OWNER = re.compile(r"^(?:module|dataset|reader|task|strategy) '([^']+)'$")


def fetch_asset(asset: Asset, *, owner: str) -> Path:
    """The verified cached file of ``asset``, downloaded through its mirrors if missing.

    ``owner`` names who needs it (e.g. ``"module 'lac'"``) so that errors say so.
    Raises DownloadError naming the asset, each URL and its failure, or OfflineError.
    A cached file was hashed when it entered the cache; only its size is checked here,
    and ``hubcore cache verify`` re-hashes everything.
    """
    return _fetch(asset, owner=owner, source=None)


def module_asset(module_name: str, asset_name: str) -> Path:
    """The verified cached file of one asset that an installed module's spec declares."""
    from hubcore._registry import get_registry

    spec = get_registry().module(module_name)
    for asset in spec.assets:
        if asset.name == asset_name:
            return _fetch(asset, owner=f"module {spec.name!r}", source=spec.name)
    known = ", ".join(repr(a.name) for a in spec.assets) or "none"
    raise HubcoreError(f"module {spec.name!r} declares no asset {asset_name!r} (its assets: {known})")


def owner_assets(name: str) -> tuple[str, tuple[Asset, ...]]:
    """The assets of an installed module, or else of a data set or other component, by name."""
    from hubcore._errors import UnknownNameError
    from hubcore._registry import get_registry

    registry = get_registry()
    try:
        spec = registry.module(name)
        return f"module {spec.name!r}", spec.assets
    except UnknownNameError as exc:
        for kind, table in registry.components.items():
            if name in table:
                return f"{kind} {name!r}", table[name].assets
        from hubcore.hub._index import load_index

        try:
            entry = load_index().find(name)
        except HubcoreError:
            raise exc from None
        raise UnknownNameError(
            f"module {entry.name!r} is not installed; run `hubcore install {entry.name}` first "
            f"(it comes with {entry.distribution})"
        ) from None


def download_assets(name: str, output: Path | None = None) -> list[Path]:
    """Fetch every asset of module (or component) ``name``; copy them to ``output`` if given.

    The copies come with a manifest, so that ``import_into_cache(output)`` on an
    air-gapped machine checks each file against the digest its module declared.
    """
    owner, assets = owner_assets(name)
    cached = [_fetch(asset, owner=owner, source=name) for asset in assets]
    if output is None:
        return cached
    output.mkdir(parents=True, exist_ok=True)
    exported = []
    for asset, path in zip(assets, cached, strict=True):
        target = output / asset.name
        tmp = output / f".{asset.name}.tmp"
        shutil.copyfile(path, tmp)
        tmp.replace(target)
        exported.append(target)
    manifest = [
        {"name": a.name, "sha256": a.sha256, "size": a.size, "license": a.license, "owner": owner}
        for a in assets
    ]
    _store.write_text_atomic(output / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
    return exported


def import_into_cache(path: Path) -> list[Path]:
    """Copy a file, or every file of a folder, into the store under its own digest.

    A folder written by ``download_assets(..., output=)`` carries a manifest: each file
    it lists must match its digest there, or nothing of that file is imported.
    """
    path = Path(path)
    if not path.exists():
        raise HubcoreError(f"cannot import {path}: no such file or folder")
    expected: dict[str, dict[str, Any]] = {}
    if path.is_dir():
        expected = _read_manifest(path / MANIFEST_NAME)
        files = sorted(p for p in path.iterdir() if p.is_file() and p.name != MANIFEST_NAME)
        files = [p for p in files if not p.name.startswith(".")]
    else:
        if path.name.startswith("."):
            raise HubcoreError(f"cannot import {path}: hidden files (names starting with '.') are not assets")
        files = [path]
    if not files:
        raise HubcoreError(f"cannot import {path}: the folder holds no files")
    imported = []
    for source in files:
        staged = _store.staging_file()
        try:
            with open(source, "rb") as reader, open(staged, "wb") as writer:
                digest = _copy_hashing(reader, writer)
            sha256 = digest.hexdigest()
            entry = expected.get(source.name)
            if entry is not None and entry.get("sha256") != sha256:
                raise HubcoreError(
                    f"cannot import {source}: its sha256 is {sha256}, but {path / MANIFEST_NAME} "
                    f"says {entry.get('sha256')}; the file is corrupt or was replaced"
                )
            with _store.asset_lock(sha256):
                owners = [str(entry["owner"])] if entry and entry.get("owner") else []
                license = str(entry.get("license", "")) if entry else ""
                imported.append(
                    _store.add_verified(
                        staged,
                        sha256,
                        source.name,
                        owners=owners,
                        license=license,
                        size=source.stat().st_size,
                    )
                )
        finally:
            staged.unlink(missing_ok=True)
    return imported


def _fetch(asset: Asset, *, owner: str, source: str | None) -> Path:
    found = _store.lookup(asset)
    if found is not None:
        return found
    with _store.asset_lock(asset.sha256):
        found = _store.lookup(asset, adopt=True)
        if found is not None:
            return found
        if is_offline():
            raise OfflineError(_offline_message(asset, owner, source))
        if not asset.urls:
            raise DownloadError(
                f"asset {asset.name!r} (for {owner}) is not in the cache and declares no URL; "
                f"provide the file with `hubcore cache import PATH`"
            )
        return _download_verified(asset, owner)


def _download_verified(asset: Asset, owner: str) -> Path:
    part = _store.partial_path(asset.sha256)
    limits = timeouts()
    failures: list[str] = []
    for url in asset.urls:
        # A resumed transfer that goes wrong may be the old partial file's fault (another
        # server, a changed file), so it is retried once from the first byte.
        for _attempt in range(2):
            resumed = part.exists()
            error = _attempt_once(asset, url, part, limits)
            if error is None:
                return _store.add_verified(
                    part,
                    asset.sha256,
                    asset.name,
                    owners=[owner],
                    urls=[url],
                    license=asset.license,
                    size=asset.size,
                )
            if not (resumed and not part.exists()):
                break
        failures.append(f"{url}: {error}")
    kept = ""
    with contextlib.suppress(OSError):
        if part.exists():
            kept = f"; {part.stat().st_size} bytes kept in {part} to resume next time"
    raise DownloadError(f"cannot download asset {asset.name!r} (for {owner}): " + "; ".join(failures) + kept)


def _attempt_once(asset: Asset, url: str, part: Path, limits: Timeouts) -> str | None:
    """Transfer once; None on a verified file, else why not (a bad partial file is removed)."""
    try:
        digest = download(url, part, asset.size, limits, label=asset.name)
    except TransferError as exc:
        if not exc.keep:
            part.unlink(missing_ok=True)
        return str(exc)
    actual = digest.hexdigest()
    if actual != asset.sha256:
        part.unlink(missing_ok=True)
        return f"sha256 mismatch (expected {asset.sha256}, got {actual}); discarded"
    return None


def _offline_message(asset: Asset, owner: str, source: str | None) -> str:
    named = _OWNER.match(owner)
    what = source or (named.group(1) if named else "NAME")
    return (
        f"asset {asset.name!r} (for {owner}, sha256 {asset.sha256[:12]}…) is not in the cache "
        f"{cache_dir()} and HUBCORE_OFFLINE forbids downloading it; on a connected machine run "
        f"`hubcore download {what} --output DIR`, copy DIR here and run `hubcore cache import DIR`"
    )


def _read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
        return {str(e["name"]): dict(e) for e in entries}
    except (ValueError, TypeError, KeyError) as exc:
        raise HubcoreError(f"{path}: not a hubcore asset manifest ({type(exc).__name__}: {exc})") from None


def _copy_hashing(reader: Any, writer: Any) -> Any:
    import hashlib
    import os

    digest = hashlib.sha256()
    while chunk := reader.read(1 << 20):
        writer.write(chunk)
        digest.update(chunk)
    writer.flush()
    os.fsync(writer.fileno())
    return digest
