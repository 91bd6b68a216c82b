"""Character error rate of chinese_ocr on the rendered Chinese set, and its agreement with RapidOCR.

    python hub-ocr/tools/evaluate_rendered.py [--count 40] [--lines 1]

Needs the test extra (rapidocr-onnxruntime, the CJK font package) and ../shared (the corpus).
CER = total edit distance between the recognised and the true text / true characters, lines
joined in reading order (for a picture turned 180 degrees the true order is reversed too).  Also
printed: the CER over letters, digits and Chinese characters only (NFKC, punctuation removed), since
most errors are a dropped final "。" or a full-width / half-width punctuation swap.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from ocr_samples import edit_distance, rendered_set


def without_punctuation(text: str) -> str:
    """NFKC-normalised text without punctuation, symbols or spaces."""
    return "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c)[0] in "LN")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--lines", type=int, default=1, help="text lines per picture")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from hub_ocr.fonts import packaged_font
    from hub_ocr.pipeline import OCRPipeline
    from hub_ocr.weights import dictionary
    from rapidocr_onnxruntime import RapidOCR

    font = packaged_font()
    if font is None:
        raise SystemExit("install cvttf-NotoSansCJK-Regular (hub-ocr's fonts extra) first")
    ours = OCRPipeline()
    reference = RapidOCR(intra_op_num_threads=args.threads, inter_op_num_threads=1)
    errors = characters = same_text = plain_errors = plain_characters = 0
    worst_box = worst_confidence = 0.0
    by_group: dict[str, list[int]] = {}
    samples = rendered_set(args.count, font, set(dictionary()), args.lines)
    for sample in samples:
        bgr = np.ascontiguousarray(sample.image[:, :, ::-1])
        lines = ours(bgr)
        theirs = reference(bgr)[0] or []
        if [line.text for line in lines] == [row[1] for row in theirs]:
            same_text += 1
            for line, row in zip(lines, theirs, strict=True):
                worst_box = max(worst_box, float(np.abs(line.box - np.array(row[0])).max()))
                worst_confidence = max(worst_confidence, abs(line.confidence - row[2]))
        truth = "".join(sample.lines[::-1] if sample.rotated else sample.lines)
        read = "".join(line.text for line in lines)
        error = edit_distance(read, truth)
        errors, characters = errors + error, characters + len(truth)
        plain_errors += edit_distance(without_punctuation(read), without_punctuation(truth))
        plain_characters += len(without_punctuation(truth))
        for group in (
            f"size {sample.size}",
            "turned 180" if sample.rotated else "upright",
            sample.background,
        ):
            tally = by_group.setdefault(group, [0, 0])
            tally[0], tally[1] = tally[0] + error, tally[1] + len(truth)
    print(f"{len(samples)} pictures, {characters} characters: CER {errors / characters:.2%} ({errors} edits)")
    print(f"letters, digits and characters only: CER {plain_errors / plain_characters:.2%} "
          f"({plain_errors}/{plain_characters})")  # fmt: skip
    for group, (e, n) in sorted(by_group.items()):
        print(f"  {group:12s} CER {e / n:.2%} ({e}/{n})")
    print(f"same strings as RapidOCR on {same_text}/{len(samples)} pictures; largest box difference "
          f"{worst_box:.1f} px, largest confidence difference {worst_confidence:.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
