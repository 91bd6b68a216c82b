"""chinese_ocr (PP-OCRv4 in torch) against RapidOCR on ONNX Runtime: the same images, the same run.

Prints end-to-end images/s of both pipelines over real images (scikit-image's page and text,
and real Chinese sentences rendered in Noto Sans CJK), then each network's latency on real
inputs - the detector on the page at 736 x 1472, the classifier and recogniser on batches of
six text-line crops - in torch and in ONNX Runtime, with the speed ratio (ONNX Runtime's time
over ours: above 1.0 means torch is faster).  Calls alternate between the two so that a machine
busy with other work slows both alike; each figure is the median of the rounds.

    python benchmarks/bench_ocr.py [--threads 2] [--rounds 5] [--rendered 6]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

# What hub_ocr.pipeline sets before torch loads OpenMP (it must come before `import torch`).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub-ocr" / "tests"))

from ocr_samples import FIXTURES, rendered_set  # noqa: E402


def paired(ours: Callable[[], object], theirs: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median seconds of each, calls interleaved, after one warm-up call of each."""
    ours(), theirs()
    mine, other = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        ours()
        mine.append(time.perf_counter() - start)
        start = time.perf_counter()
        theirs()
        other.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(other)


def images(rendered: int) -> list[tuple[str, np.ndarray]]:
    """(name, BGR array) of the benchmark's real images."""
    from hub_ocr.fonts import packaged_font
    from hub_ocr.weights import dictionary

    chosen = [
        (name, np.asarray(Image.open(FIXTURES / name).convert("RGB"))) for name in ("page.png", "text.png")
    ]
    font = packaged_font()
    if font is not None and rendered:
        chosen += [(s.name, s.image) for s in rendered_set(rendered, font, set(dictionary()))]
    return [(name, np.ascontiguousarray(rgb[:, :, ::-1])) for name, rgb in chosen]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rendered", type=int, default=6, help="rendered Chinese images to add")
    args = parser.parse_args()

    import onnxruntime as ort
    from hub_ocr.pipeline import (
        OCRPipeline,
        _line_tensor,
        _nhwc,
        _normalise,
        _resize_to_multiple_of_32,
        crop_line,
    )
    from rapidocr_onnxruntime import RapidOCR

    torch.set_num_threads(args.threads)
    ours = OCRPipeline()
    reference = RapidOCR(intra_op_num_threads=args.threads, inter_op_num_threads=1)
    print(f"chinese_ocr vs RapidOCR 1.4.4 (ONNX Runtime {ort.__version__}), {args.threads} threads, "
          f"torch {torch.__version__}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"median of {args.rounds} rounds")  # fmt: skip

    print("\nend to end (load excluded: arrays in, lines out)")
    total_ours = total_theirs = 0.0
    for name, bgr in images(args.rendered):
        mine, theirs = paired(lambda b=bgr: ours(b), lambda b=bgr: reference(b), args.rounds)
        total_ours, total_theirs = total_ours + mine, total_theirs + theirs
        print(f"  {name:10s} {bgr.shape[1]:4d} x {bgr.shape[0]:<4d} torch {mine * 1e3:8.1f} ms   "
              f"onnxruntime {theirs * 1e3:8.1f} ms   ratio {theirs / mine:5.2f}x")  # fmt: skip
    count = len(images(args.rendered))
    print(f"  all {count} images: torch {count / total_ours:.2f} images/s, onnxruntime "
          f"{count / total_theirs:.2f} images/s, ratio {total_theirs / total_ours:.2f}x")  # fmt: skip

    print("\nper network (real inputs)")
    page = images(0)[0][1]
    det_batch = _normalise(_resize_to_multiple_of_32(page, 736 / min(page.shape[:2])))[None]
    crops = [crop_line(page, box) for box in ours.detect(page, 0.5)]
    crops = (crops * 2)[:6]
    cls_batch = np.stack([_line_tensor(c, 48, 192) for c in crops])
    widest = max(c.shape[1] / c.shape[0] for c in crops)
    rec_batch = np.stack([_line_tensor(c, 48, int(48 * widest)) for c in crops])
    sessions = {
        "det": reference.text_det.infer,
        "cls": reference.text_cls.infer,
        "rec": reference.text_rec.session,
    }
    networks = {"det": ours.detector, "cls": ours.classifier, "rec": ours.recognizer}
    for key, batch in (("det", det_batch), ("cls", cls_batch), ("rec", rec_batch)):
        net, session = networks[key], sessions[key]

        def run_torch(net: torch.nn.Module = net, batch: np.ndarray = batch) -> object:
            with torch.inference_mode():
                return net(_nhwc(batch))

        mine, theirs = paired(run_torch, lambda s=session, b=batch: s(b), args.rounds)
        print(f"  {key}  input {tuple(batch.shape)!s:20s} torch {mine * 1e3:8.1f} ms   "
              f"onnxruntime {theirs * 1e3:8.1f} ms   ratio {theirs / mine:5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
