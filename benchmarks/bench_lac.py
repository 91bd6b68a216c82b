"""Throughput and cold start of hub-lac beside Baidu's LAC 2.1.2 figures (../shared/README.md).

Usage: python benchmarks/bench_lac.py [--lines 2000] [--rounds 3] [--cpu N] [--cold 3]

One thread (BLAS pools limited before NumPy loads, and the process pinned to one CPU),
over the first 2,000 lines of ../shared/lac-golden/bench.txt as Baidu's figures were;
the cold start runs `hubcore run lac --input_text ...` in fresh processes.  The
reference figures are constants measured by the project on this kind of machine;
everything else is measured in this run.  Set HUB_LAC_KERNEL=numpy to time the
pure-NumPy engine.
"""

from __future__ import annotations

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

import argparse  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT.parent / "shared" / "lac-golden" / "bench.txt"
BAIDU = {"batch 1": 1662.0, "batch 32": 2414.0, "cold wall s": 1.48, "cold peak MiB": 738.0}
COLD_LIMITS = {"cold wall s": 1.48, "cold peak MiB": 738.0 / 2}


def _throughput(lac: object, texts: list[str], batch_size: int, rounds: int) -> tuple[float, float]:
    """Sentences per second by the wall clock and by this process's CPU time (median of rounds).

    On a shared machine the process is not always on its CPU; the CPU-time rate is what
    one thread of a quiet core would give, the wall-clock rate what this run saw.
    """
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(texts), batch_size):
            lac.lexical_analysis(texts=texts[i : i + batch_size], batch_size=batch_size)  # type: ignore[attr-defined]
        wall.append(len(texts) / (time.perf_counter() - start))
        cpu.append(len(texts) / (time.process_time() - start_cpu))
    return statistics.median(wall), statistics.median(cpu)


def _cold_start(runs: int, cpu: int | None) -> tuple[float, float]:
    hubcore = shutil.which("hubcore", path=str(Path(sys.executable).parent)) or shutil.which("hubcore")
    if hubcore is None:
        raise SystemExit("bench_lac: the hubcore command is not installed beside this Python")
    walls, peaks = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        command = [hubcore, "run", "lac", "--input_text", "百度是一家高科技公司"]
        if cpu is not None and shutil.which("taskset"):
            command = ["taskset", "-c", str(cpu), *command]
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, timeout=120)
        walls.append(time.perf_counter() - start)
        # ru_maxrss of children is the largest child so far: only a new maximum is informative,
        # so report the largest value seen (an upper bound for every run).
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(walls), max(peaks)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cpu", type=int, default=None, help="CPU to pin to (default: the first allowed)")
    parser.add_argument("--cold", type=int, default=3, help="cold-start runs (0 to skip)")
    args = parser.parse_args()

    cpu = args.cpu if args.cpu is not None else min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    texts = BENCH.read_text(encoding="utf-8").splitlines()[: args.lines]

    from hub_lac import _kernels
    from hub_lac.module import LAC

    lac = LAC(mode="lac")
    lac.lexical_analysis(texts=texts[:200], batch_size=32)  # warm caches and lazy loads
    rows = []
    for label, batch_size in (("batch 1", 1), ("batch 32", 32)):
        wall, cpu_rate = _throughput(lac, texts, batch_size, args.rounds)
        rows.append((f"{label}, wall clock (sent/s)", wall, BAIDU[label], wall / BAIDU[label]))
        rows.append((f"{label}, CPU time (sent/s)", cpu_rate, BAIDU[label], cpu_rate / BAIDU[label]))

    print(
        f"hub-lac engine: {_kernels.BACKEND}; CPU {cpu}; {len(texts)} lines of {BENCH.name}, "
        f"{sum(map(len, texts)) / len(texts):.1f} characters on average; median of {args.rounds} rounds; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(f"{'measure':<34}{'hub-lac':>10}{'Baidu LAC':>11}{'ratio':>9}")
    for name, ours, theirs, ratio in rows:
        print(f"{name:<34}{ours:>10.0f}{theirs:>11.0f}{ratio:>8.2f}x")
    if args.cold:
        wall, peak = _cold_start(args.cold, cpu)
        print(
            f"{'cold start wall (s)':<34}{wall:>10.2f}{BAIDU['cold wall s']:>11.2f}"
            f"{BAIDU['cold wall s'] / wall:>8.2f}x  (limit {COLD_LIMITS['cold wall s']:.2f} s)"
        )
        print(
            f"{'cold start peak RSS (MiB)':<34}{peak:>10.0f}{BAIDU['cold peak MiB']:>11.0f}"
            f"{BAIDU['cold peak MiB'] / peak:>8.2f}x  (limit {COLD_LIMITS['cold peak MiB']:.0f} MiB)"
        )
        print("(ratios: above 1 means hub-lac is faster or smaller)")


if __name__ == "__main__":
    main()
