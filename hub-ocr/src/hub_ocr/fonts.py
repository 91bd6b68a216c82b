"""Finding a font that has Chinese glyphs, for drawing recognised text.

Looked for, in order: ``HUBCORE_OCR_FONT``; the Noto Sans CJK font of the PyPI package
``cvttf-NotoSansCJK-Regular`` (hub-ocr's ``fonts`` extra, SIL OFL 1.1); Debian's CJK font
packages (fonts-noto-cjk, fonts-wqy-microhei, fonts-wqy-zenhei, fonts-arphic-uming).  Without
any of them the visualisation draws boxes only.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

DEBIAN_FONTS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
FONT_PACKAGE = "cvttf_NotoSansCJK_Regular"


def packaged_font() -> Path | None:
    """The font file inside the ``cvttf-NotoSansCJK-Regular`` package, found without importing it."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        for candidate in sorted(Path(folder).glob("*.[ot]t[fc]")):
            return candidate
    return None


def find_cjk_font() -> Path | None:
    """A font file with CJK glyphs, or None when this machine has none we know of."""
    chosen = os.environ.get("HUBCORE_OCR_FONT")
    if chosen:
        return Path(chosen) if Path(chosen).is_file() else None
    found = packaged_font()
    if found is not None:
        return found
    for path in DEBIAN_FONTS:
        if Path(path).is_file():
            return Path(path)
    return None
