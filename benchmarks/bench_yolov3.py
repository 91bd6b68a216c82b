"""YOLOv3 inference speed on this CPU: beside OpenCV's DNN module, and beside a plain matrix multiply.

Two references, each measured in this same run, interleaved round by round so that a machine
busy with other work slows both sides alike:

1. OpenCV's DNN module (``cv2.dnn.readNetFromDarknet``), the usual way to run Darknet weights
   on a CPU without Darknet: the same cfg and weights (the official tiny file from
   ``../shared/yolov3-tiny``; seeded random weights for the full network, whose official file
   is not reachable here: speed does not depend on the values), the same thread count, the
   same letterboxed photos from ``../shared/yolo-golden/photos``.  Latency at batch 1 and
   throughput at batch 8, network only (letterbox and NMS are not part of OpenCV's forward),
   and the ratio: OpenCV's time over ours, so above 1.0 means hub-yolov3 is faster.
2. The achieved convolution GFLOP/s as a share of torch.matmul's GFLOP/s (the best of square
   sizes 1024, 2048 and 4096), plus the end-to-end latency of ``object_detection``.

hub-yolov3 runs what ``object_detection`` runs: batch norm folded, each convolution one oneDNN
primitive with its leaky ReLU fused and its weights reordered ahead of time, channels-last.

    python benchmarks/bench_yolov3.py [--threads 2] [--rounds 5] [--batch 8] [--size 416] [--skip-matmul]
"""

from __future__ import annotations

import os

# OpenMP threads that spin while waiting lose badly when the CPU is shared with other work
# (one descheduled thread stalls every layer); passive waiting is what `hubcore run yolov3`
# uses too.  It must be set before torch loads OpenMP; OMP_WAIT_POLICY=ACTIVE overrides it.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from hub_yolov3.darknet_weights import save_darknet_weights
from hub_yolov3.letterbox import letterbox
from hub_yolov3.model import COCO_ANCHORS, TINY_ANCHORS, YoloConfig, YOLOv3
from hub_yolov3.module import YOLOv3Detector, YOLOv3TinyDetector

from hubcore.images import load_path

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
CFG = {"darknet53": SHARED / "yolov3-tiny" / "yolov3.cfg", "tiny": SHARED / "yolov3-tiny" / "yolov3-tiny.cfg"}
OFFICIAL_TINY = SHARED / "yolov3-tiny" / "yolov3-tiny.weights"
PHOTOS = SHARED / "yolo-golden" / "photos"
DARKNET_REPORTED_GFLOPS_416 = 65.879  # what darknet prints for yolov3.cfg at 416 (2 x multiply-adds)


def conv_flops(model: torch.nn.Module, size: int) -> float:
    """FLOPs of every convolution for one image (2 per multiply-add), counted from the real output shapes."""
    total = 0.0

    def hook(module: torch.nn.Conv2d, _inputs: object, output: torch.Tensor) -> None:
        nonlocal total
        k = module.kernel_size[0] * module.kernel_size[1]
        total += (
            2.0 * output.shape[1] * output.shape[2] * output.shape[3] * k * module.in_channels / module.groups
        )

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, torch.nn.Conv2d)]
    with torch.no_grad():
        model(torch.zeros(1, 3, size, size))
    for h in handles:
        h.remove()
    return total


def timed(fn: Callable[[], object], rounds: int) -> float:
    """Median seconds of ``rounds`` calls, after one warm-up call."""
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(ours: Callable[[], object], theirs: Callable[[], object], rounds: int) -> tuple[float, float]:
    """Median seconds of each, timed alternately after one warm-up call each."""
    ours(), theirs()
    mine, other = [], []
    for _ in range(rounds):
        for fn, times in ((ours, mine), (theirs, other)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return statistics.median(mine), statistics.median(other)


def matmul_gflops(rounds: int = 5, sizes: tuple[int, ...] = (1024, 2048, 4096)) -> float:
    """The best float32 GFLOP/s of square torch.matmul over a few sizes: what this CPU reaches."""
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        best = max(best, 2.0 * n**3 / timed(lambda a=a, b=b: torch.matmul(a, b), rounds) / 1e9)
    return best


def random_darknet_weights(arch: str, folder: Path) -> Path:
    """A Darknet ``.weights`` file of seeded random values with sensible batch-norm statistics."""
    torch.manual_seed(0)
    model = YOLOv3(YoloConfig(arch=arch, anchors=COCO_ANCHORS if arch == "darknet53" else TINY_ANCHORS))
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.weight.uniform_(0.6, 1.2, generator=generator)
                module.running_var.uniform_(0.5, 1.5, generator=generator)
    return save_darknet_weights(model, folder / f"{arch}-random.weights")


def photo_batch(size: int, batch: int) -> np.ndarray:
    """The golden photos, letterboxed as Darknet does, cycled to ``batch`` images."""
    arrays = [letterbox(load_path(p).image, size)[0] for p in sorted(PHOTOS.iterdir())]
    return np.ascontiguousarray(np.stack([arrays[i % len(arrays)] for i in range(batch)]))


def against_opencv(args: argparse.Namespace, scratch: Path) -> list[tuple[str, int, float, float]]:
    """(network, batch, our seconds, OpenCV seconds) for tiny and full YOLOv3."""
    import cv2

    cv2.setNumThreads(args.threads)
    print(f"OpenCV {cv2.__version__} DNN (backend OpenCV, target CPU), {cv2.getNumThreads()} thread(s)")
    rows = []
    for arch in ("tiny", "darknet53"):
        weights = OFFICIAL_TINY if arch == "tiny" else random_darknet_weights(arch, scratch)
        factory = YOLOv3TinyDetector if arch == "tiny" else YOLOv3Detector
        detector = factory(weights=weights, input_size=args.size)
        net = cv2.dnn.readNetFromDarknet(str(CFG[arch]), str(weights))
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        outputs = net.getUnconnectedOutLayersNames()
        for batch in (1, args.batch):
            pixels = photo_batch(args.size, batch)
            tensor = torch.from_numpy(pixels)

            def opencv(net: object = net, pixels: np.ndarray = pixels, names: object = outputs) -> object:
                net.setInput(pixels)  # type: ignore[attr-defined]
                return net.forward(names)  # type: ignore[attr-defined]

            rounds = args.rounds if batch == 1 else max(2, args.rounds // 2)
            ours, theirs = interleaved(lambda d=detector, t=tensor: d._inference(t), opencv, rounds)
            rows.append((arch, batch, ours, theirs))
            print(
                f"  {arch:<10} batch {batch}: hub-yolov3 {ours * 1e3:8.1f} ms, OpenCV {theirs * 1e3:8.1f} ms"
            )
        del detector, net
    return rows


def against_matmul(args: argparse.Namespace) -> dict[str, tuple[float, float, float, float]]:
    """Per network: conv FLOPs, batch-1 latency, batch time, matmul GFLOP/s around them."""
    results = {}
    for arch, factory in (("darknet53", YOLOv3Detector), ("tiny", YOLOv3TinyDetector)):
        detector = factory(pretrained=False, input_size=args.size)
        flops = conv_flops(detector.model, args.size)
        one, many = torch.rand(1, 3, args.size, args.size), torch.rand(args.batch, 3, args.size, args.size)
        matmul_before = matmul_gflops(args.rounds)
        latency = timed(lambda d=detector, x=one: d._inference(x), args.rounds)
        batch_time = timed(lambda d=detector, x=many: d._inference(x), max(2, args.rounds // 2))
        matmul_after = matmul_gflops(args.rounds)
        results[arch] = (flops, latency, batch_time, (matmul_before + matmul_after) / 2)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=416)
    parser.add_argument("--skip-matmul", action="store_true", help="only the OpenCV comparison")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    policy = os.environ["OMP_WAIT_POLICY"]
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), OMP_WAIT_POLICY={policy}, "
        f"input {args.size}x{args.size}, median of {args.rounds} rounds (batch {args.batch}: "
        f"{max(2, args.rounds // 2)})"
    )

    if CFG["tiny"].is_file() and OFFICIAL_TINY.is_file() and PHOTOS.is_dir():
        with tempfile.TemporaryDirectory() as scratch:
            rows = against_opencv(args, Path(scratch))
        print()
        print(f"{'network':<10} {'batch':>5} {'hub-yolov3':>15} {'OpenCV DNN':>15} {'ratio':>7}")
        for arch, batch, ours, theirs in rows:
            mine = f"{ours * 1e3:.1f} ms" if batch == 1 else f"{batch / ours:.2f} img/s"
            other = f"{theirs * 1e3:.1f} ms" if batch == 1 else f"{batch / theirs:.2f} img/s"
            print(f"{arch:<10} {batch:>5} {mine:>15} {other:>15} {theirs / ours:>6.2f}x")
        print("ratio = OpenCV's time / hub-yolov3's (above 1.0: hub-yolov3 is faster)")
    else:
        print(f"OpenCV comparison skipped: the cfg files, tiny weights and photos are not under {SHARED}")

    if args.skip_matmul:
        return
    results = against_matmul(args)
    print()
    print(f"{'network':<10} {'GFLOP/img':>10} {'latency ms':>11} {'img/s (b=' + str(args.batch) + ')':>13} "
          f"{'GFLOP/s':>8} {'matmul GFLOP/s':>15} {'share':>6}")  # fmt: skip
    for arch, (flops, latency, batch_time, matmul) in results.items():
        achieved = flops * args.batch / batch_time / 1e9
        print(
            f"{arch:<10} {flops / 1e9:>10.2f} {latency * 1e3:>11.1f} {args.batch / batch_time:>13.2f} "
            f"{achieved:>8.1f} {matmul:>15.1f} {achieved / matmul:>6.1%}"
        )
    flops416 = results["darknet53"][0]
    if args.size == 416:
        print(
            f"\nconv FLOPs counted {flops416 / 1e9:.3f} G, darknet reports {DARKNET_REPORTED_GFLOPS_416} G "
            f"(ratio {flops416 / 1e9 / DARKNET_REPORTED_GFLOPS_416:.4f})"
        )
    detector = YOLOv3Detector(pretrained=False, input_size=args.size)
    picture = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    end_to_end = timed(
        lambda: detector.object_detection(images=[picture], score_thresh=0.5, visualization=False),
        args.rounds,
    )
    net = results["darknet53"][1]
    print(
        f"object_detection end to end (640x480 array, batch 1): {end_to_end * 1e3:.1f} ms "
        f"= network {net * 1e3:.1f} ms x {end_to_end / net:.2f}"
    )


if __name__ == "__main__":
    main()
