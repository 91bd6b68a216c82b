"""Looking after the asset store: listing, re-verifying, removing and clearing it."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from hubcore._errors import HubcoreError
from hubcore._patterns import HEX_PREFIX as _HEX_PREFIX
from hubcore.hub import _store
from hubcore.hub._config import cache_dir
from hubcore.hub._store import CachedAsset, cached_assets

__all__ = ["CacheProblem", "cached_assets", "clear_cache", "remove_from_cache", "verify_cache"]


@dataclass(frozen=True)
class CacheProblem:
    """A cached file whose content no longer matches the digest it is stored (or aliased) under."""

    sha256: str
    file: str
    actual: str
    algorithm: str = "sha256"
    expected: str = ""

    def __str__(self) -> str:
        if self.algorithm == "sha256":
            return f"{self.file} (sha256 {self.sha256[:12]}…) now hashes to {self.actual[:12]}…"
        return (
            f"{self.file} (sha256 {self.sha256[:12]}…) has {self.algorithm} {self.actual[:12]}…, "
            f"not the {self.expected[:12]}… its alias claims"
        )


def verify_cache() -> tuple[int, list[CacheProblem]]:
    """Re-hash every cached file; returns how many were checked and the corrupt ones.

    Content reached through an MD5 alias has its MD5 re-checked in the same pass.
    """
    checked, problems = 0, []
    for cached in cached_assets():
        for name in cached.files:
            checked += 1
            path = cached.folder / name
            digests = _store.file_sha256(path, _store.Digests(md5=bool(cached.md5)))
            if digests.sha256 != cached.sha256:
                problems.append(CacheProblem(cached.sha256, str(path), digests.sha256))
                continue
            for md5 in cached.md5:
                if digests.md5 != md5:
                    problems.append(CacheProblem(cached.sha256, str(path), digests.md5, "md5", md5))
    return checked, problems


def remove_from_cache(name: str) -> list[CachedAsset]:
    """Remove what ``name`` designates: a file name, a sha256 or MD5 (8+ hex digits) or a module's assets."""
    everything = cached_assets()
    chosen = [c for c in everything if name in c.files or name in c.names]
    if not chosen and _HEX_PREFIX.match(name):
        chosen = [c for c in everything if c.sha256.startswith(name)]
        chosen = chosen or [c for c in everything if any(md5.startswith(name) for md5 in c.md5)]
    if not chosen:
        digests = _digests_of_owner(name)
        chosen = [c for c in everything if c.sha256 in digests]
    if not chosen:
        raise HubcoreError(
            f"nothing in the cache {cache_dir()} matches {name!r} (a file name, a sha256 or md5 prefix "
            "of 8+ digits, or a module name); see `hubcore cache ls`"
        )
    for cached in chosen:
        _store.remove_digest(cached.sha256)
    return chosen


def clear_cache() -> int:
    """Remove every asset, partial download and cached index; returns the number of assets removed."""
    home = cache_dir()
    digests = {p.name for p in (home / "assets").glob("*") if p.is_dir()}
    digests |= {p.name.removesuffix(".part") for p in (home / "partial").glob("*.part")}
    count = len(cached_assets())
    for key in sorted(digests):  # each under its lock, so no running download loses its file
        _store.remove_digest(key)
    shutil.rmtree(_store.aliases_root(), ignore_errors=True)  # any left pointed at nothing
    shutil.rmtree(home / "index", ignore_errors=True)
    return count


def _digests_of_owner(name: str) -> set[str]:
    from hubcore.hub._assets import owner_assets

    try:
        _owner, assets = owner_assets(name)
    except HubcoreError:
        return set()
    stored = (_store.stored_sha256(asset) for asset in assets)
    return {sha256 for sha256 in stored if sha256}
