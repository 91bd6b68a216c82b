"""Module management, as a library: the index, installs, the verified asset cache and data-set folders.

Nothing here imports click or ``hubcore.cli``: the commands that drive this live in
``hubcore.cli`` (checked by tests/test_meta.py).  Names are resolved on first use, so
that the CLI starts fast.
"""

from __future__ import annotations

from hubcore._lazy import lazy_getattr

# public name -> private module that defines it
_EXPORTS: dict[str, str] = {
    # settings
    "cache_dir": "._config",
    "is_offline": "._config",
    # failures
    "DownloadError": "._errors",
    "IndexEntryError": "._errors",
    "OfflineError": "._errors",
    # the verified asset cache
    "download_assets": "._assets",
    "fetch_asset": "._assets",
    "import_into_cache": "._assets",
    "module_asset": "._assets",
    # cache upkeep
    "CacheProblem": "._cache",
    "CachedAsset": "._store",
    "cached_assets": "._store",
    "dataset_dir": "._store",
    "dataset_lock": "._store",
    "clear_cache": "._cache",
    "remove_from_cache": "._cache",
    "verify_cache": "._cache",
    # the index and search
    "IndexEntry": "._index",
    "IndexVersion": "._index",
    "ModuleIndex": "._index",
    "SearchResult": "._search",
    "load_index": "._index",
    "search_modules": "._search",
    "validate_requirement": "._index",
    # install and uninstall
    "Incompatible": "._pip",
    "incompatible_plugins": "._pip",
    "install_modules": "._pip",
    "uninstall_modules": "._pip",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_getattr(__name__, _EXPORTS)
