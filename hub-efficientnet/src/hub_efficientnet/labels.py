"""ImageNet-1k's class names, in the order of the classifiers' outputs (see imagenet_classes.txt's source)."""

from __future__ import annotations

from collections import Counter
from functools import cache
from importlib import resources


@cache
def imagenet_labels() -> tuple[str, ...]:
    """The 1,000 names; the two classes WordNet calls "crane" (bird, machine) get their synset id."""
    text = resources.files("hub_efficientnet").joinpath("imagenet_classes.txt").read_text(encoding="utf-8")
    rows = [line.split("\t", 1) for line in text.splitlines() if line.strip()]
    counts = Counter(name for _, name in rows)
    return tuple(name if counts[name] == 1 else f"{name} ({wnid})" for wnid, name in rows)
