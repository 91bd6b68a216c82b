"""chinese_ocr (PP-OCRv4 in torch) against RapidOCR on ONNX Runtime: the same images, the same run.

Prints end-to-end images/s of both pipelines over real images (scikit-image's page and text,
and real Chinese sentences rendered in Noto Sans CJK), then each network's latency on real
inputs - the detector on the page at 736 x 1472, the classifier and recogniser on batches of
six text-line crops - in torch and in ONNX Runtime, with the speed ratio (ONNX Runtime's time
over ours: above 1.0 means torch is faster).  Calls alternate so that a machine busy with other
work slows all alike; each figure is the median of the rounds.  The reference runs twice: as
RapidOCR sets ONNX Runtime up (its thread pool spins between operators, ONNX Runtime's default),
and with spinning off - as hub-ocr lets idle OpenMP threads sleep (OMP_WAIT_POLICY=PASSIVE).

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
from typing import Any

# What hub_ocr.pipeline sets before torch loads OpenMP (it must come before `import torch`).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "hub-ocr" / "tests"))

from ocr_samples import FIXTURES, rendered_set  # noqa: E402


def interleaved(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    """Median seconds of each call, the calls interleaved, after one warm-up call of each."""
    for call in calls:
        call()
    times: list[list[float]] = [[] for _ in calls]
    for _ in range(rounds):
        for call, kept in zip(calls, times, strict=True):
            start = time.perf_counter()
            call()
            kept.append(time.perf_counter() - start)
    return [statistics.median(kept) for kept in times]


def without_spinning(reference: Any) -> Any:
    """The same RapidOCR with each ONNX Runtime session rebuilt with intra-op spinning off."""
    import onnxruntime as ort

    for part in _sessions(reference).values():
        old = part.session
        options = ort.SessionOptions()
        options.intra_op_num_threads = old.get_session_options().intra_op_num_threads
        options.inter_op_num_threads = old.get_session_options().inter_op_num_threads
        options.enable_cpu_mem_arena = False
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        part.session = ort.InferenceSession(old._model_path, options, providers=["CPUExecutionProvider"])
    return reference


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
    quiet = without_spinning(RapidOCR(intra_op_num_threads=args.threads, inter_op_num_threads=1))
    print(f"chinese_ocr vs RapidOCR 1.4.4 (ONNX Runtime {ort.__version__}), {args.threads} threads, "
          f"torch {torch.__version__}, OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}, "
          f"median of {args.rounds} rounds")  # fmt: skip

    print("\nend to end (load excluded: arrays in, lines out)")
    totals = [0.0, 0.0, 0.0]
    for name, bgr in images(args.rendered):
        seconds = interleaved(
            [lambda b=bgr: ours(b), lambda b=bgr: reference(b), lambda b=bgr: quiet(b)], args.rounds
        )
        totals = [t + s for t, s in zip(totals, seconds, strict=True)]
        print(f"  {name:10s} {bgr.shape[1]:4d} x {bgr.shape[0]:<4d} " + _row(seconds))
    count = len(images(args.rendered))
    print(f"  all {count} images: torch {count / totals[0]:.2f} images/s, onnxruntime "
          f"{count / totals[1]:.2f} images/s (ratio {totals[1] / totals[0]:.2f}x), without spinning "
          f"{count / totals[2]:.2f} images/s (ratio {totals[2] / totals[0]:.2f}x)")  # fmt: skip

    print("\nper network (real inputs)")
    page = images(0)[0][1]
    det_batch = _normalise(_resize_to_multiple_of_32(page, 736 / min(page.shape[:2])))[None]
    crops = [crop_line(page, box) for box in ours.detect(page, 0.5)]
    crops = (crops * 2)[:6]
    cls_batch = np.stack([_line_tensor(c, 48, 192) for c in crops])
    widest = max(c.shape[1] / c.shape[0] for c in crops)
    rec_batch = np.stack([_line_tensor(c, 48, int(48 * widest)) for c in crops])
    networks = {"det": ours.detector, "cls": ours.classifier, "rec": ours.recognizer}
    for key, batch in (("det", det_batch), ("cls", cls_batch), ("rec", rec_batch)):
        net = networks[key]
        session, quiet_session = (_sessions(r)[key] for r in (reference, quiet))

        def run_torch(net: torch.nn.Module = net, batch: np.ndarray = batch) -> object:
            with torch.inference_mode():
                return net(_nhwc(batch))

        seconds = interleaved(
            [run_torch, lambda s=session, b=batch: s(b), lambda s=quiet_session, b=batch: s(b)], args.rounds
        )
        print(f"  {key}  input {tuple(batch.shape)!s:20s} " + _row(seconds))


def _sessions(reference: Any) -> dict[str, Any]:
    """RapidOCR's three ONNX Runtime sessions (its OrtInferSession wrappers)."""
    return {
        "det": reference.text_det.infer,
        "cls": reference.text_cls.infer,
        "rec": reference.text_rec.session,
    }


def _row(seconds: list[float]) -> str:
    mine, theirs, quiet = seconds
    return (f"torch {mine * 1e3:8.1f} ms   onnxruntime {theirs * 1e3:8.1f} ms ({theirs / mine:4.2f}x)   "
            f"without spinning {quiet * 1e3:8.1f} ms ({quiet / mine:4.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
