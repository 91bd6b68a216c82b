"""EfficientNet-Lite0/2 inference speed: hub-efficientnet against the reference package and ONNX Runtime.

For each variant, at batch 1 and batch 32 on the same real photos (the golden photos, centre-cropped
to the native resolution), in one run, interleaved round by round so that load from other work on
the machine shifts all three alike:

* ``hub``: hub-efficientnet's inference path as ``classification`` runs it (batch norms folded,
  large batches run two images at a time);
* ``reference``: ``efficientnet_lite_pytorch`` 0.1.0 (the reference implementation) with the same weights;
* ``onnxruntime``: ONNX Runtime on our own ONNX export of the same network.

Prints images/s and the ratio hub / ONNX Runtime and hub / reference, and the largest logit
difference of hub and ONNX Runtime from the reference (outputs unchanged means ~1e-5).

    python benchmarks/bench_efficientnet.py [--threads 2] [--rounds 5] [--variants lite0 lite2]
"""

from __future__ import annotations

import os

# libgomp's threads otherwise spin while they wait; on a machine shared with other work that burns
# the time slices torch needs (ONNX Runtime's own thread pool copes).  Must precede importing torch.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from hub_efficientnet.module import MODULE_CLASSES
from hub_efficientnet.preprocess import to_tensor
from hub_efficientnet.sources import SOURCES
from hub_efficientnet.weights import dependency_file
from PIL import Image

PHOTOS = Path(__file__).resolve().parents[1].parent / "shared" / "yolo-golden" / "photos"


def photo_batch(resolution: int, size: int) -> torch.Tensor:
    images = [Image.open(p).convert("RGB") for p in sorted(PHOTOS.iterdir())]
    one = to_tensor(images, resolution)
    reps = -(-size // one.shape[0])
    return one.repeat(reps, 1, 1, 1)[:size].contiguous()


def reference_net(name: str) -> torch.nn.Module:
    from efficientnet_lite_pytorch import EfficientNet

    source = SOURCES[name]
    try:
        path = dependency_file(source.package, source.member, source.sha256)
    except Exception:
        from hubcore.hub import module_asset

        path = module_asset(name, source.file_name)
    net = EfficientNet.from_pretrained(name.replace("_", "-"), weights_path=str(path))
    return net.eval()


def onnx_session(net: torch.nn.Module, resolution: int, threads: int, folder: Path) -> object:
    import onnxruntime as ort

    path = folder / "model.onnx"
    example = torch.zeros(1, 3, resolution, resolution)
    torch.onnx.export(
        net, (example,), str(path), input_names=["x"], output_names=["logits"],
        dynamic_axes={"x": {0: "n"}, "logits": {0: "n"}}, opset_version=17, dynamo=False,
    )  # fmt: skip
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def median_seconds(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench_variant(name: str, threads: int, rounds: int, folder: Path) -> None:
    module = MODULE_CLASSES[name]()
    reference = reference_net(name)
    session = onnx_session(module.net, module.resolution, threads, folder)
    for batch_size in (1, 32):
        x = photo_batch(module.resolution, batch_size)
        xn = x.numpy()
        with torch.inference_mode():
            want = reference(x).numpy()
            got_hub = module.network_logits(x).numpy()
        got_ort = session.run(None, {"x": xn})[0]
        runners: dict[str, Callable[[], object]] = {
            "hub": lambda x=x: module.network_logits(x),
            "reference": lambda x=x: reference(x),
            "onnxruntime": lambda xn=xn: session.run(None, {"x": xn}),
        }
        calls = 10 if batch_size == 1 else 1
        seconds: dict[str, list[float]] = {k: [] for k in runners}
        with torch.inference_mode():
            for fn in runners.values():
                fn()  # warm-up
            for _ in range(rounds):
                for key, fn in runners.items():
                    seconds[key].append(median_seconds(fn, calls))
        speed = {k: batch_size / statistics.median(v) for k, v in seconds.items()}
        print(
            f"{name} batch {batch_size:2d}: hub {speed['hub']:7.1f} img/s | "
            f"reference {speed['reference']:7.1f} | "
            f"onnxruntime {speed['onnxruntime']:7.1f} || hub/ort {speed['hub'] / speed['onnxruntime']:.2f}x, "
            f"hub/reference {speed['hub'] / speed['reference']:.2f}x | max |logit diff| vs reference: "
            f"hub {np.abs(got_hub - want).max():.1e}, ort {np.abs(got_ort - want).max():.1e}",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--variants", nargs="+", default=["lite0", "lite2"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"torch {torch.__version__}, {args.threads} threads, "
        f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}; "
        "figures from a possibly loaded machine, ratios from the same run"
    )
    with tempfile.TemporaryDirectory() as tmp:
        for variant in args.variants:
            bench_variant(f"efficientnet_{variant}", args.threads, args.rounds, Path(tmp))


if __name__ == "__main__":
    main()
