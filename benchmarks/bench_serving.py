"""Serving under load: hubcore's server beside a plain FastAPI endpoint and LitServe, same run.

Each server runs alone on 127.0.0.1 with the same worker count while ``wrk`` (Debian's package)
drives it with a fixed number of concurrent clients for ``--duration`` seconds: LAC with one
sentence per request (real review sentences, ../shared/lac-golden/bench.txt) at 1, 16 and 64
clients, and yolov3_tiny with one photo per request at 8 clients.  Throughput and p50/p99
latency are printed side by side with the ratios the issue asks for.  Weights for yolov3_tiny:
``--yolo-weights`` (a Darknet file, e.g. ../shared/yolov3-tiny/yolov3-tiny.weights) when given and
present, else the module's own asset when cached, else random weights (speed does not depend on
the values; the table says which).

All three servers run at once and take turns (``--rounds``, medians reported), so that a machine
whose load drifts shifts them alike.

    python benchmarks/bench_serving.py [--duration 15] [--workers 1] [--skip-yolo]
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BASELINES = Path(__file__).with_name("_serving_baselines.py")
PHOTO = SHARED / "yolo-golden" / "photos" / "dog.jpg"

LUA = """
local bodies = {}
for line in io.lines(os.getenv("BENCH_BODIES")) do bodies[#bodies + 1] = line end
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  n = n + 1
  return wrk.format(nil, os.getenv("BENCH_PATH"), nil, bodies[(n % #bodies) + 1])
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(
    kind: str, module: str, port: int, workers: int, init_args: dict, home: Path
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "HUBCORE_HOME": str(home), "HUBCORE_OFFLINE": "1"}
    if kind == "hubcore":
        config = home / f"serving-{port}.json"
        config.write_text(
            json.dumps({"modules_info": {module: {"init_args": init_args}}, "workers": workers})
        )
        command = [sys.executable, "-c", "from hubcore.cli import main; main()", "serving", "start"]
        command += ["-c", str(config), "-p", str(port), "--workers", str(workers)]
    else:
        command = [
            sys.executable,
            str(BASELINES),
            kind,
            module,
            str(port),
            str(workers),
            json.dumps(init_args),
        ]
    return subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )


def wait_until_serving(port: int, module: str, body: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"a server for {module} exited with status {server.returncode}")
        try:
            answer = httpx.post(
                f"http://127.0.0.1:{port}/predict/{module}",
                content=body,
                timeout=30,
                headers={"content-type": "application/json"},
            )
            if answer.status_code == 200 and answer.json()["status"] == "000":
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"no answer from the server for {module} on port {port}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, then SIGKILL to whatever of it is left (LitServe's workers)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        server.wait(timeout=30)
    time.sleep(1)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(server.pid, signal.SIGKILL)
    server.wait()


def wrk(port: int, path: str, bodies: Path, clients: int, duration: float, script: Path) -> dict[str, float]:
    threads = max(1, min(2, clients))
    env = {**os.environ, "BENCH_BODIES": str(bodies), "BENCH_PATH": path}
    done = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{clients}",
            f"-d{duration:g}s",
            "--timeout",
            "30s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}",
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return parse_wrk(done.stdout)


def parse_wrk(text: str) -> dict[str, float]:
    def ms(value: str) -> float:
        number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]+", "", value)  # type: ignore[union-attr]
        return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", text, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),  # type: ignore[union-attr]
        "p50": ms(latency["50"]),
        "p99": ms(latency["99"]),
        "errors": float(errors.group(1) if errors else 0)
        + float(sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def median_of(results: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (errors summed)."""
    import statistics

    merged = {key: statistics.median(r[key] for r in results) for key in ("rps", "p50", "p99")}
    merged["errors"] = sum(r["errors"] for r in results)
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3, help="turns per point, the servers taking turns")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--yolo-clients", type=int, default=8)
    parser.add_argument("--yolo-weights", type=Path, default=SHARED / "yolov3-tiny" / "yolov3-tiny.weights")
    parser.add_argument("--skip-yolo", action="store_true")
    parser.add_argument("--backends", default="hubcore,fastapi,litserve")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench_serving needs wrk: apt-get install wrk")

    backends = args.backends.split(",")
    work = Path(tempfile.mkdtemp(prefix="bench-serving-"))
    script = work / "post.lua"
    script.write_text(LUA)
    sentences = [
        s for s in (SHARED / "lac-golden" / "bench.txt").read_text(encoding="utf-8").splitlines() if s.strip()
    ]
    lac_bodies = work / "lac.jsonl"
    lac_bodies.write_text(
        "\n".join(json.dumps({"text": [s]}, ensure_ascii=False) for s in sentences[:2000]) + "\n"
    )
    jobs = [("lac", {}, lac_bodies, [int(c) for c in args.clients.split(",")])]
    if not args.skip_yolo:
        if args.yolo_weights.is_file():
            yolo_args, weights = (
                {"weights": str(args.yolo_weights)},
                f"Darknet weights {args.yolo_weights.name}",
            )
        else:
            yolo_args, weights = (
                {"pretrained": False},
                "random weights (no Darknet file here; speed is the same)",
            )
        yolo_bodies = work / "yolo.jsonl"
        yolo_bodies.write_text(json.dumps({"images": [base64.b64encode(PHOTO.read_bytes()).decode()]}) + "\n")
        jobs.append(("yolov3_tiny", yolo_args, yolo_bodies, [args.yolo_clients]))

    print(
        f"bench_serving: {args.duration:g} s per point, {args.workers} worker(s) each, wrk on 127.0.0.1, "
        f"{os.cpu_count()} CPUs (measured on a loaded machine: compare the ratios, not the absolute figures)"
    )
    if not args.skip_yolo:
        print(f"yolov3_tiny: {weights}; one {PHOTO.name} ({PHOTO.stat().st_size} bytes) per request")
    table: dict[tuple[str, str, int], dict[str, float]] = {}
    try:
        for module, init_args, bodies, clients in jobs:
            first_body = bodies.read_text(encoding="utf-8").splitlines()[0]
            # All three servers up at once, measured in turns: a machine whose load drifts shifts them alike.
            servers = {backend: (free_port(), None) for backend in backends}
            try:
                for backend in backends:
                    port = servers[backend][0]
                    servers[backend] = (port, start(backend, module, port, args.workers, init_args, work))
                for port, server in servers.values():
                    wait_until_serving(port, module, first_body, server)
                    wrk(port, f"/predict/{module}", bodies, max(clients), 3, script)  # warm-up
                for count in clients:
                    rounds: dict[str, list[dict[str, float]]] = {b: [] for b in backends}
                    for _ in range(args.rounds):
                        for backend, (port, _server) in servers.items():
                            rounds[backend].append(
                                wrk(
                                    port,
                                    f"/predict/{module}",
                                    bodies,
                                    count,
                                    args.duration / args.rounds,
                                    script,
                                )
                            )
                    for backend in backends:
                        table[(module, backend, count)] = result = median_of(rounds[backend])
                        print(
                            f"  {module:12} {backend:9} {count:3} clients: {result['rps']:8.1f} req/s  "
                            f"p50 {result['p50']:8.1f} ms  p99 {result['p99']:8.1f} ms  "
                            f"errors {result['errors']:.0f}",
                            flush=True,
                        )
            finally:
                for _port, server in servers.values():
                    if server is not None:
                        stop(server)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    print("\nratios (same run): hubcore / reference")
    for module, _, _, clients in jobs:
        for count in clients:
            hub = table.get((module, "hubcore", count))
            if not hub:
                continue
            parts = []
            for ref in ("fastapi", "litserve"):
                other = table.get((module, ref, count))
                if other and other["rps"] > 0:
                    parts.append(
                        f"throughput x{hub['rps'] / other['rps']:.2f} vs {ref}, "
                        f"p99 {hub['p99']:.0f} vs {other['p99']:.0f} ms"
                    )
            print(f"  {module} at {count} clients: " + "; ".join(parts))
    hub64, plain64, lit64 = (table.get(("lac", b, 64)) for b in ("hubcore", "fastapi", "litserve"))
    if hub64 and plain64 and lit64 and plain64["rps"] > 0 and lit64["rps"] > 0:
        print(
            f"goal at 64 clients (LAC): >= 3x unbatched: {hub64['rps'] / plain64['rps']:.2f}x; "
            f">= 1.2x LitServe: {hub64['rps'] / lit64['rps']:.2f}x; "
            f"p99 {hub64['p99']:.0f} ms vs LitServe {lit64['p99']:.0f} ms"
        )


if __name__ == "__main__":
    main()
