"""What LAC's tags mean (lac and rank modes; seg mode has no tags)."""

from __future__ import annotations

TAG_MEANINGS: dict[str, str] = {
    "n": "common noun",
    "f": "locative noun (direction, position)",
    "s": "place noun",
    "t": "time word",
    "nr": "person name",
    "ns": "place name",
    "nt": "organisation name",
    "nw": "work title (book, film, song...)",
    "nz": "other proper noun",
    "v": "common verb",
    "vd": "verb used as adverb",
    "vn": "verb used as noun",
    "a": "adjective",
    "ad": "adjective used as adverb",
    "an": "adjective used as noun",
    "d": "adverb",
    "m": "numeral (with its measure word)",
    "q": "measure word",
    "r": "pronoun",
    "p": "preposition",
    "c": "conjunction",
    "u": "auxiliary word",
    "xc": "other function word (interjection, onomatopoeia...)",
    "w": "punctuation",
    "PER": "person name (entity)",
    "LOC": "place name (entity)",
    "ORG": "organisation name (entity)",
    "TIME": "time expression (entity)",
}

RANK_MEANINGS: dict[int, str] = {
    0: "redundant word (punctuation, particles)",
    1: "weakly relevant word",
    2: "relevant word",
    3: "key word",
}
