"""YOLOv3-416 inference speed on this CPU, against what a plain matrix multiply reaches here.

Prints latency (batch 1) and throughput (batch N) of the Darknet-53 network, the end-to-end
latency of ``object_detection`` (letterbox, network, decoding, NMS), and the achieved
convolution GFLOP/s as a share of torch.matmul's GFLOP/s measured in the same run, interleaved,
so that a machine busy with other work shifts both alike.  The matmul reference is the best of
square sizes 1024, 2048 and 4096, each the median of the rounds.  Random weights: speed does not
depend on their values.

    python benchmarks/bench_yolov3.py [--threads 2] [--rounds 5] [--batch 4] [--size 416]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
from hub_yolov3.model import COCO_ANCHORS, TINY_ANCHORS, YoloConfig, YOLOv3

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


def matmul_gflops(rounds: int = 5, sizes: tuple[int, ...] = (1024, 2048, 4096)) -> float:
    """The best float32 GFLOP/s of square torch.matmul over a few sizes: what this CPU reaches."""
    best = 0.0
    for n in sizes:
        a, b = torch.randn(n, n), torch.randn(n, n)
        best = max(best, 2.0 * n**3 / timed(lambda a=a, b=b: torch.matmul(a, b), rounds) / 1e9)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=torch.get_num_threads())
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--size", type=int, default=416)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    size = args.size
    print(
        f"torch {torch.__version__}, {args.threads} thread(s), input {size}x{size}, median of {args.rounds}"
    )

    results = {}
    for arch, anchors in (("darknet53", COCO_ANCHORS), ("tiny", TINY_ANCHORS)):
        model = YOLOv3(YoloConfig(arch=arch, anchors=anchors)).eval()
        flops = conv_flops(model, size)
        one, many = torch.rand(1, 3, size, size), torch.rand(args.batch, 3, size, size)
        with torch.inference_mode():
            matmul_before = matmul_gflops(args.rounds)
            latency = timed(lambda m=model, x=one: m(x), args.rounds)
            batch_time = timed(lambda m=model, x=many: m(x), max(2, args.rounds // 2))
            matmul_after = matmul_gflops(args.rounds)
        results[arch] = (flops, latency, batch_time, (matmul_before + matmul_after) / 2)

    from hub_yolov3.module import YOLOv3Detector

    detector = YOLOv3Detector(pretrained=False, input_size=size)
    picture = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    with torch.inference_mode():
        end_to_end = timed(
            lambda: detector.object_detection(images=[picture], score_thresh=0.5, visualization=False),
            args.rounds,
        )

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
    if size == 416:
        print(
            f"\nconv FLOPs counted {flops416 / 1e9:.3f} G, darknet reports {DARKNET_REPORTED_GFLOPS_416} G "
            f"(ratio {flops416 / 1e9 / DARKNET_REPORTED_GFLOPS_416:.4f})"
        )
    net = results["darknet53"][1]
    print(
        f"object_detection end to end (640x480 array, batch 1): {end_to_end * 1e3:.1f} ms "
        f"= network {net * 1e3:.1f} ms x {end_to_end / net:.2f}"
    )


if __name__ == "__main__":
    main()
