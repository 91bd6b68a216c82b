"""The module index: which pip package provides each module, and which hubcore it needs.

The bundled index ships inside hubcore.  ``HUBCORE_INDEX_URL`` may name a remote one
(an http(s) URL, a ``file://`` URL or a path); it is cached for ``HUBCORE_INDEX_TTL``
seconds and, when it cannot be fetched or the hub is offline, the cached copy and then
the bundled index stand in.  Whatever its origin, every entry is validated: an index
may only ever name a plain package, never a URL, a path or a pip option.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from hubcore._errors import HubcoreError, UnknownNameError
from hubcore._patterns import CONTROL as _CONTROL  # nothing from an index may steer the terminal
from hubcore._patterns import DISTRIBUTION
from hubcore._patterns import NAME as _NAME
from hubcore._version import __version__
from hubcore.hub import _config, _store
from hubcore.hub._errors import IndexEntryError

BUNDLED = "bundled index"
MAX_INDEX_BYTES = 16 * 1024 * 1024  # a remote index larger than this is refused while it streams
_PLAIN_REQUIREMENT = re.compile(rf"^{DISTRIBUTION}\s*(?:[<>=!~][=<>!~.*,\s0-9A-Za-z+-]*)?$")


@dataclass(frozen=True)
class IndexVersion:
    """One published version of a module's package and the hubcore range it works with."""

    version: str
    requires_hubcore: str = ""

    def supports(self, hubcore_version: str = __version__) -> bool:
        return SpecifierSet(self.requires_hubcore).contains(hubcore_version, prereleases=True)


@dataclass(frozen=True)
class IndexEntry:
    """What the index says about one module."""

    name: str
    requirement: str
    summary: str = ""
    type: str = ""
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    license: str = ""
    versions: tuple[IndexVersion, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def distribution(self) -> str:
        """The pip package that provides the module."""
        return Requirement(self.requirement).name

    @property
    def latest(self) -> str | None:
        """The newest final version listed, else the newest pre-release, else None."""
        ordered = sorted((Version(v.version) for v in self.versions), reverse=True)
        final = [v for v in ordered if not v.is_prerelease]
        return str((final or ordered)[0]) if ordered else None

    def newest_supported(
        self, *, pre: bool = False, hubcore_version: str = __version__
    ) -> IndexVersion | None:
        """The newest listed version that works with ``hubcore_version``."""
        usable = [
            v
            for v in self.versions
            if v.supports(hubcore_version) and (pre or not Version(v.version).is_prerelease)
        ]
        return max(usable, key=lambda v: Version(v.version), default=None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "requirement": self.requirement,
            "summary": self.summary,
            "type": self.type,
            "keywords": list(self.keywords),
            "license": self.license,
            "versions": [
                {"version": v.version, "requires_hubcore": v.requires_hubcore} for v in self.versions
            ],
        }


@dataclass
class ModuleIndex:
    """The valid entries of an index, the rejected ones with why, and where it came from."""

    source: str
    entries: dict[str, IndexEntry] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def find(self, name: str) -> IndexEntry:
        """The entry for a module name, alias or package name."""
        wanted = canonicalize_name(name)
        for entry in self.entries.values():
            if name in entry.names:
                return entry
        for entry in self.entries.values():
            if canonicalize_name(entry.distribution) == wanted:
                return entry
        if name in self.rejected:
            raise IndexEntryError(f"index entry {name!r} was rejected: {self.rejected[name]}")
        known = [n for entry in self.entries.values() for n in entry.names]
        close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
        hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        raise UnknownNameError(f"no module {name!r} in the {self.source}{hint}")


def validate_requirement(text: Any, where: str) -> Requirement:
    """A plain ``name`` or ``name<specifier>`` requirement, or IndexEntryError saying why not."""
    if not isinstance(text, str) or not text.strip():
        raise IndexEntryError(f"{where}: 'requirement' must be a non-empty string")
    text = text.strip()
    if text.startswith("-") or re.search(r"\s-", text):
        raise IndexEntryError(
            f"{where}: requirement {text!r} carries a pip option; only a package name is allowed"
        )
    if "://" in text or "@" in text:
        raise IndexEntryError(f"{where}: requirement {text!r} is a URL; only a package name is allowed")
    if "/" in text or "\\" in text or text.startswith((".", "~")):
        raise IndexEntryError(f"{where}: requirement {text!r} is a path; only a package name is allowed")
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise IndexEntryError(f"{where}: requirement {text!r} is not a PEP 508 requirement ({exc})") from None
    if requirement.url or requirement.extras or requirement.marker:
        raise IndexEntryError(
            f"{where}: requirement {text!r} has extras, a URL or a marker; only a name and a version "
            "specifier are allowed"
        )
    if not _PLAIN_REQUIREMENT.match(text):
        raise IndexEntryError(f"{where}: requirement {text!r} is not a plain name with a version specifier")
    if canonicalize_name(requirement.name) == "hubcore":
        raise IndexEntryError(f"{where}: requirement {text!r} names hubcore itself, not a plugin")
    return requirement


def parse_index(data: Any, source: str) -> ModuleIndex:
    """Validate a decoded index document; each bad entry is rejected on its own."""
    if not isinstance(data, dict) or not isinstance(data.get("modules"), list):
        raise IndexEntryError(f"{source}: an index must be a JSON object with a 'modules' list")
    if data.get("format", 1) != 1:
        raise IndexEntryError(f"{source}: index format {data.get('format')!r} is not supported (expected 1)")
    index = ModuleIndex(source)
    taken: dict[str, str] = {}
    for position, raw in enumerate(data["modules"]):
        name = raw.get("name") if isinstance(raw, dict) else None
        label = name if isinstance(name, str) else f"#{position}"
        where = f"{source}, entry {label!r}"
        try:
            entry = _parse_entry(raw, where)
            clash = next((n for n in entry.names if n in taken), None)
            if clash is not None:
                raise IndexEntryError(f"{where}: name {clash!r} is already used by entry {taken[clash]!r}")
        except IndexEntryError as exc:
            index.rejected[label] = str(exc)
            continue
        for name in entry.names:
            taken[name] = entry.name
        index.entries[entry.name] = entry
    return index


def bundled_index() -> ModuleIndex:
    """The index shipped inside hubcore."""
    text = resources.files("hubcore.hub").joinpath("index.json").read_text(encoding="utf-8")
    return parse_index(json.loads(text), BUNDLED)


def load_index(*, refresh: bool = False, network: bool = True) -> ModuleIndex:
    """The index to resolve names with: remote (fresh or cached), else the bundled one.

    ``refresh`` ignores the time-to-live of a cached remote index; ``network=False``
    never fetches (the cached copy, else the bundled index), for hints in error messages.
    Entries that would hand a name an installed plugin provides to another package are
    rejected: the installed provider wins.
    """
    return _guard_installed(_load_index(refresh=refresh, network=network))


def _load_index(*, refresh: bool, network: bool) -> ModuleIndex:
    url = _config.index_url()
    if url is None:
        return bundled_index()
    local = _local_path(url)
    if local is not None:
        return parse_index(_read_local(local, url), f"index {url}")
    cache_file = _config.cache_dir() / "index" / f"{hashlib.sha256(url.encode()).hexdigest()[:24]}.json"
    cached = _read_cached(cache_file, url)
    fresh = cached is not None and time.time() - cached[0] < _config.index_ttl()
    offline = _config.is_offline() or not network
    if cached is not None and ((fresh and not refresh) or offline):
        return _parse_or_bundled(cached[1], f"cached index of {url}")
    if offline:
        index = bundled_index()
        index.notes.append(f"offline and no cached copy of {url}; using the {BUNDLED}")
        return index
    try:
        document = _fetch(url)
        index = parse_index(document, f"index {url}")
    except (HubcoreError, RecursionError, ValueError, TypeError) as exc:
        # A parse failure of any kind (nesting that blows the stack included) is an unusable index.
        why = str(exc) if isinstance(exc, HubcoreError) else f"{type(exc).__name__}: cannot parse it"
        fallback = _parse_or_bundled(cached[1], f"cached index of {url}") if cached is not None else None
        fallback = fallback if fallback is not None else bundled_index()
        fallback.notes.append(f"cannot use the index {url} ({why}); using the {fallback.source}")
        return fallback
    payload = {"url": url, "fetched": time.time(), "index": document}
    _store.write_text_atomic(cache_file, json.dumps(payload, ensure_ascii=False) + "\n")
    return index


def _parse_or_bundled(document: Any, source: str) -> ModuleIndex:
    try:
        return parse_index(_clean(document), source)
    except (HubcoreError, RecursionError, ValueError, TypeError) as exc:
        index = bundled_index()
        index.notes.append(f"the {source} is unusable ({type(exc).__name__}); using the {BUNDLED}")
        return index


def _guard_installed(index: ModuleIndex) -> ModuleIndex:
    """Reject entries that map a name an installed plugin provides to a different package."""
    from hubcore._registry import get_registry

    registry = get_registry()
    for entry in list(index.entries.values()):
        for name in entry.names:
            try:
                provider = registry.module(name).plugin
            except HubcoreError:
                continue
            if canonicalize_name(provider) != canonicalize_name(entry.distribution):
                del index.entries[entry.name]
                index.rejected[entry.name] = (
                    f"{index.source}, entry {entry.name!r}: maps {name!r} to package "
                    f"{entry.distribution!r}, but the installed plugin {provider!r} provides it; "
                    f"the installed provider wins and the entry is ignored"
                )
                break
    return index


def clean_text(text: str) -> str:
    """``text`` without terminal control characters (escape sequences, carriage returns...)."""
    return _CONTROL.sub("", text)


def _clean(value: Any) -> Any:
    """Every string of a decoded index stripped of control characters (RecursionError when too deep)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): _clean(item) for key, item in value.items()}
    return value


def _parse_entry(raw: Any, where: str) -> IndexEntry:
    if not isinstance(raw, dict):
        raise IndexEntryError(f"{where}: an entry must be a JSON object")
    name = raw.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise IndexEntryError(f"{where}: 'name' must be lowercase letters, digits, '.', '_' or '-'")
    requirement = validate_requirement(raw.get("requirement"), where)
    aliases = _strings(raw, "aliases", where)
    for alias in aliases:
        if not _NAME.match(alias):
            raise IndexEntryError(
                f"{where}: alias {alias!r} must be lowercase letters, digits, '.', '_' or '-'"
            )
    listed = raw.get("versions", [])
    if not isinstance(listed, list):
        raise IndexEntryError(f"{where}: 'versions' must be a list")
    versions = []
    for item in listed:
        if not isinstance(item, dict) or not isinstance(item.get("version"), str):
            raise IndexEntryError(f"{where}: each of 'versions' must be an object with a 'version' string")
        try:
            version = Version(item["version"])
        except InvalidVersion:
            raise IndexEntryError(f"{where}: version {item['version']!r} is not a PEP 440 version") from None
        if not requirement.specifier.contains(version, prereleases=True):
            raise IndexEntryError(f"{where}: version {version} is outside its requirement {requirement}")
        needs = item.get("requires_hubcore", "")
        try:
            SpecifierSet(needs)
        except (InvalidSpecifier, TypeError):
            raise IndexEntryError(
                f"{where}: requires_hubcore {needs!r} of version {version} is not a version specifier"
            ) from None
        versions.append(IndexVersion(str(version), str(needs)))
    return IndexEntry(
        name=name,
        requirement=str(requirement),
        summary=_string(raw, "summary", where),
        type=_string(raw, "type", where),
        keywords=_strings(raw, "keywords", where),
        aliases=aliases,
        license=_string(raw, "license", where),
        versions=tuple(versions),
    )


def _string(raw: dict[str, Any], key: str, where: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise IndexEntryError(f"{where}: {key!r} must be a string")
    return value


def _strings(raw: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise IndexEntryError(f"{where}: {key!r} must be a list of strings")
    return tuple(value)


def _read_cached(path: Path, url: str) -> tuple[float, Any] | None:
    meta = _store.read_meta(path)
    if meta.get("url") != url or not isinstance(meta.get("fetched"), (int, float)) or "index" not in meta:
        return None
    return float(meta["fetched"]), meta["index"]


def _local_path(url: str) -> Path | None:
    if url.startswith("file://"):
        return Path(url.removeprefix("file://"))
    if "://" not in url:
        return Path(url).expanduser()
    return None


def _read_local(path: Path, url: str) -> Any:
    try:
        return _clean(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise HubcoreError(f"cannot read the index {url}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise HubcoreError(f"the index {url} is not valid JSON: {exc}") from None
    except RecursionError:
        raise HubcoreError(f"the index {url} is nested too deeply to read") from None


def _fetch(url: str) -> Any:
    """The decoded, cleaned index at ``url``, within its size limit and overall deadline."""
    import httpx

    if not url.startswith(("http://", "https://")):
        raise HubcoreError(f"HUBCORE_INDEX_URL {url!r} must be an http(s) URL, a file:// URL or a path")
    limits = _config.timeouts()
    deadline = time.monotonic() + _config.index_deadline()
    body = bytearray()
    try:
        with httpx.stream(
            "GET", url, timeout=httpx.Timeout(limits.read, connect=limits.connect), follow_redirects=True
        ) as response:
            if response.status_code != 200:
                raise HubcoreError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_INDEX_BYTES:
                    raise HubcoreError(f"larger than the limit of {MAX_INDEX_BYTES} bytes")
                if time.monotonic() > deadline:
                    raise HubcoreError(
                        f"not received within the deadline of {_config.index_deadline():g} s "
                        "(HUBCORE_INDEX_DEADLINE)"
                    )
    except httpx.TimeoutException:
        raise HubcoreError("timed out") from None
    except httpx.HTTPError as exc:
        raise HubcoreError(f"{type(exc).__name__}: {exc}") from None
    try:
        return _clean(json.loads(bytes(body)))
    except ValueError as exc:
        raise HubcoreError(f"not valid JSON: {exc}") from None
    except RecursionError:
        raise HubcoreError("nested too deeply to read") from None
