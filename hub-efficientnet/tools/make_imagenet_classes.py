"""Writes src/hub_efficientnet/imagenet_classes.txt: ImageNet-1k's class names in output order.

Source: the `timm` wheel (1.0.31, Apache-2.0) ships `timm/data/_info/imagenet_synsets.txt` (the
1,000 WordNet ids, sorted, which is the order every ImageNet-1k classifier's outputs follow) and
`imagenet_synset_to_lemma.txt` (WordNet id -> its lemmas).  Usage, from the plugin folder:

    pip download --no-deps -d /tmp/timm timm==1.0.31
    python tools/make_imagenet_classes.py /tmp/timm/timm-1.0.31-py3-none-any.whl
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

OUTPUT = Path(__file__).resolve().parents[1] / "src" / "hub_efficientnet" / "imagenet_classes.txt"


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        synsets = archive.read("timm/data/_info/imagenet_synsets.txt").decode().split()
        lemmas = dict(
            line.split("\t", 1)
            for line in archive.read("timm/data/_info/imagenet_synset_to_lemma.txt").decode().splitlines()
            if "\t" in line
        )
    if len(synsets) != 1000 or synsets != sorted(synsets):
        raise SystemExit("expected the 1,000 sorted ImageNet-1k synsets")
    rows = [f"{wnid}\t{lemmas[wnid].strip()}" for wnid in synsets]
    OUTPUT.write_text("\n".join(rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} classes to {OUTPUT}")


if __name__ == "__main__":
    main(sys.argv[1])
