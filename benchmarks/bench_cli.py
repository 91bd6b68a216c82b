"""Start-up cost of the listing commands, beside simonw/llm's `llm plugins` in the same run.

Reference: `llm plugins` (llm 0.36, no plugins) took 0.46 s on this kind of machine; the
target for `hubcore plugins list` and `hubcore list` is at most half of it, without
importing torch or transformers, whatever plugins are installed.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import time

RUNS = 15
HEAVY = ("torch", "transformers", "numpy", "PIL")
PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('HEAVY=' + ','.join("
    f"m for m in {HEAVY!r} if m in sys.modules) + '\\n'))\n"
    "from hubcore.cli import main\n"
    "sys.argv = ['hubcore', *sys.argv[1:]]\n"
    "main()\n"
)


def wall(command: list[str]) -> float:
    """Median wall time of a command in fresh processes, after one warm-up run."""
    subprocess.run(command, capture_output=True, check=True)
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def heavy_imports(args: list[str]) -> str:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, check=True)
    line = next(line for line in done.stderr.splitlines() if line.startswith("HEAVY="))
    return line.removeprefix("HEAVY=") or "none"


def main() -> None:
    hubcore = shutil.which("hubcore")
    llm = shutil.which("llm")
    if hubcore is None:
        sys.exit("hubcore is not installed in this environment")
    listed = subprocess.run(
        [hubcore, "plugins", "list", "--json"], capture_output=True, text=True, check=True
    )
    names = [plugin["name"] for plugin in json.loads(listed.stdout)]
    print(f"plugins loaded: {', '.join(names)}")
    reference = wall([llm, "plugins"]) if llm else 0.46
    source = "measured now" if llm else "recorded figure (llm not installed)"
    print(f"{'command':<28}{'median s':>10}{'vs llm plugins':>16}  heavy imports")
    print(f"{'llm plugins (' + source + ')':<28}{reference:>10.3f}{1.0:>15.2f}x")
    for args in (["plugins", "list"], ["list"], ["run", "--help"]):
        seconds = wall([hubcore, *args])
        name = "hubcore " + " ".join(args)
        print(f"{name:<28}{seconds:>10.3f}{seconds / reference:>15.2f}x  {heavy_imports(args)}")
    print("target: at most 0.50x of llm plugins (under 0.25 s), heavy imports: none")


if __name__ == "__main__":
    main()
