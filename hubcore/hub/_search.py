"""Rank installed modules and index entries against search keywords."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hubcore._specs import ModuleSpec
from hubcore.hub._index import IndexEntry, ModuleIndex, load_index


@dataclass
class SearchResult:
    """One module as search shows it: what the index offers and what is installed."""

    name: str
    summary: str = ""
    type: str = ""
    keywords: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    installed_version: str | None = None
    plugin: str | None = None
    latest: str | None = None
    requirement: str | None = None
    score: float = 0.0

    @property
    def installed(self) -> bool:
        return self.installed_version is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "type": self.type,
            "keywords": list(self.keywords),
            "installed": self.installed,
            "installed_version": self.installed_version,
            "plugin": self.plugin,
            "latest": self.latest,
            "requirement": self.requirement,
            "score": round(self.score, 2),
        }


def search_modules(keywords: Sequence[str] = (), *, index: ModuleIndex | None = None) -> list[SearchResult]:
    """Installed and indexed modules matching every keyword, best match first.

    Without keywords, every module is listed by name.  A keyword matches a name or
    alias (exactly, as a prefix, as a part, or as a near miss), a keyword, the type
    or the summary, in decreasing weight.
    """
    from hubcore._registry import get_registry

    index = load_index() if index is None else index
    results: dict[str, SearchResult] = {}
    for entry in index.entries.values():
        results[entry.name] = _from_entry(entry)
    for spec in get_registry().modules.values():
        _merge_installed(results, spec)
    wanted = [k.strip().lower() for k in keywords if k.strip()]
    ranked = []
    for result in results.values():
        scores = [_score(result, keyword) for keyword in wanted]
        if all(score > 0 for score in scores):
            result.score = sum(scores)
            ranked.append(result)
    return sorted(ranked, key=lambda r: (-r.score, not r.installed, r.name))


def _from_entry(entry: IndexEntry) -> SearchResult:
    return SearchResult(
        name=entry.name,
        summary=entry.summary,
        type=entry.type,
        keywords=entry.keywords,
        aliases=entry.aliases,
        latest=entry.latest,
        requirement=entry.distribution,
    )


def _merge_installed(results: dict[str, SearchResult], spec: ModuleSpec) -> None:
    found = next((r for r in results.values() if set(spec.names) & {r.name, *r.aliases}), None)
    if found is None:
        found = results[spec.name] = SearchResult(name=spec.name)
    found.installed_version = spec.version
    found.plugin = spec.plugin
    found.summary = spec.summary or found.summary
    found.type = spec.type or found.type
    found.keywords = tuple(dict.fromkeys((*spec.keywords, *found.keywords)))
    found.aliases = tuple(dict.fromkeys((*spec.aliases, *found.aliases)))


def _score(result: SearchResult, keyword: str) -> float:
    names = [n.lower() for n in (result.name, *result.aliases)]
    keywords = [k.lower() for k in result.keywords]
    if keyword in names:
        return 100.0
    if any(n.startswith(keyword) for n in names):
        return 60.0
    if keyword in keywords:
        return 50.0
    if any(keyword in n for n in names):
        return 40.0
    if any(keyword in k for k in keywords) or keyword in result.type.lower():
        return 25.0
    if keyword in result.summary.lower():
        return 10.0
    closeness = max(difflib.SequenceMatcher(None, keyword, n).ratio() for n in names)
    return 30.0 * closeness if closeness >= 0.8 else 0.0
