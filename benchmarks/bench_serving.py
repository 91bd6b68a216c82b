"""Serving under load: hubcore's server beside a plain FastAPI endpoint and LitServe, same run.

Each server runs on 127.0.0.1 (hubcore's and the plain endpoint with one and with two worker
processes, LitServe with one worker, which is two processes) while ``wrk`` (Debian's package)
drives it with a fixed number of concurrent clients for ``--duration`` seconds: LAC with one
sentence per request (real review sentences, ../shared/lac-golden/bench.txt) at 1, 16 and 64
clients, and yolov3_tiny with one photo per request at 8 clients.  Throughput and p50/p99
latency are printed side by side with the ratios the issue asks for.  Weights for yolov3_tiny:
``--yolo-weights`` (a Darknet file, e.g. ../shared/yolov3-tiny/yolov3-tiny.weights) when given and
present, else the module's own asset when cached, else random weights (speed does not depend on
the values; the table says which).

All the servers run at once and take turns (``--rounds``, medians reported), so that a machine
whose load drifts shifts them alike.  Beside req/s each row gives the CPU time all the server's
processes spent per answered request: on a machine that other work shares, req/s follows the
CPU share a server gets, while CPU per request is what its throughput on dedicated cores
follows.

    python benchmarks/bench_serving.py [--duration 15] [--servers hubcore:1,litserve:1] [--skip-yolo]
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


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a server's session.

    A server runs in a session of its own (start_new_session), so this counts all its processes:
    uvicorn's workers, LitServe's HTTP and inference processes.  Divided by the requests served,
    it is a cost that the other loads of a shared machine barely move, unlike req/s.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # fields after the name: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def wrk(
    port: int, path: str, bodies: Path, clients: int, duration: float, script: Path, session: int = 0
) -> dict[str, float]:
    threads = max(1, min(2, clients))
    cpu_before = session_cpu(session) if session else 0.0
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
    result = parse_wrk(done.stdout)
    if session and result["requests"]:
        result["cpu_ms"] = 1000 * (session_cpu(session) - cpu_before) / result["requests"]
    return result


def parse_wrk(text: str) -> dict[str, float]:
    def ms(value: str) -> float:
        number, unit = float(re.match(r"[\d.]+", value).group()), re.sub(r"[\d.]+", "", value)  # type: ignore[union-attr]
        return number * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]

    latency = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+(\S+)", text, re.MULTILINE))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),  # type: ignore[union-attr]
        "requests": float(re.search(r"(\d+) requests in", text).group(1)),  # type: ignore[union-attr]
        "p50": ms(latency["50"]),
        "p99": ms(latency["99"]),
        "errors": float(errors.group(1) if errors else 0)
        + float(sum(map(int, socket_errors.groups())) if socket_errors else 0),
    }


def median_of(results: list[dict[str, float]]) -> dict[str, float]:
    """Each figure's median over the rounds (errors summed)."""
    import statistics

    keys = ("rps", "p50", "p99", "cpu_ms")
    merged = {k: statistics.median(r[k] for r in results) for k in keys if all(k in r for r in results)}
    merged["errors"] = sum(r["errors"] for r in results)
    return merged


# The servers compared, as kind:workers.  LitServe with one worker runs two busy processes (its
# HTTP server and its inference worker), so hubcore and the plain endpoint are measured with one
# process (as configured by a user who asks for one worker) and with two (the same budget).
SERVERS = "hubcore:1,fastapi:1,litserve:1,hubcore:2,fastapi:2"


def busy_processes(kind: str, workers: int) -> int:
    """Processes that serve requests (uvicorn's and LitServe's idle supervisors not counted)."""
    return 2 * workers if kind == "litserve" else workers


def label(server: str) -> str:
    kind, workers = server.split(":")
    busy = busy_processes(kind, int(workers))
    return f"{kind} ({workers} worker{'s' * (workers != '1')}, {busy} proc)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--rounds", type=int, default=3, help="turns per point, the servers taking turns")
    parser.add_argument("--clients", default="1,16,64")
    parser.add_argument("--yolo-clients", type=int, default=8)
    parser.add_argument(
        "--yolo-duration", type=float, default=45, help="seconds per point (a photo takes ~0.2 s)"
    )
    parser.add_argument("--yolo-weights", type=Path, default=SHARED / "yolov3-tiny" / "yolov3-tiny.weights")
    parser.add_argument("--skip-yolo", action="store_true")
    parser.add_argument("--servers", default=SERVERS, help=f"kind:workers, comma-separated ({SERVERS})")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench_serving needs wrk: apt-get install wrk")

    servers_wanted = args.servers.split(",")
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
    jobs = [("lac", {}, lac_bodies, [int(c) for c in args.clients.split(",")], args.duration)]
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
        jobs.append(("yolov3_tiny", yolo_args, yolo_bodies, [args.yolo_clients], args.yolo_duration))

    print(
        f"bench_serving: {args.duration:g} s per LAC point, {args.yolo_duration:g} s per YOLO point, "
        f"in {args.rounds} turns (medians), wrk on 127.0.0.1, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} at the start (on a shared machine "
        "compare the ratios and the CPU per request, not the absolute req/s)"
    )
    print(
        "  proc = processes serving requests; cpu/req = CPU time of all the server's processes per answered "
        "request"
    )
    if not args.skip_yolo:
        print(f"yolov3_tiny: {weights}; one {PHOTO.name} ({PHOTO.stat().st_size} bytes) per request")
    table: dict[tuple[str, str, int], dict[str, float]] = {}
    try:
        for module, init_args, bodies, clients, duration in jobs:
            first_body = bodies.read_text(encoding="utf-8").splitlines()[0]
            # All servers up at once, measured in turns: a machine whose load drifts shifts them alike.
            servers: dict[str, tuple[int, subprocess.Popen[bytes] | None]] = {
                name: (free_port(), None) for name in servers_wanted
            }
            try:
                for name in servers_wanted:
                    kind, workers = name.split(":")
                    port = servers[name][0]
                    servers[name] = (port, start(kind, module, port, int(workers), init_args, work))
                for port, server in servers.values():
                    assert server is not None
                    wait_until_serving(port, module, first_body, server)
                    wrk(port, f"/predict/{module}", bodies, max(clients), 3, script)  # warm-up
                for count in clients:
                    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in servers_wanted}
                    for _ in range(args.rounds):
                        for name, (port, server) in servers.items():
                            assert server is not None
                            rounds[name].append(
                                wrk(
                                    port,
                                    f"/predict/{module}",
                                    bodies,
                                    count,
                                    duration / args.rounds,
                                    script,
                                    session=server.pid,
                                )
                            )
                    for name in servers_wanted:
                        table[(module, name, count)] = result = median_of(rounds[name])
                        print(
                            f"  {module:11} {label(name):30} {count:3} clients: {result['rps']:7.1f} req/s  "
                            f"p50 {result['p50']:7.1f} ms  p99 {result['p99']:7.1f} ms  "
                            f"cpu/req {result.get('cpu_ms', float('nan')):5.2f} ms  "
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
    comparisons = [
        ("1 worker each", "hubcore:1", ("fastapi:1", "litserve:1")),
        ("2 processes each", "hubcore:2", ("fastapi:2", "litserve:1")),
    ]
    for module, _, _, clients, _ in jobs:
        for count in clients:
            for title, ours, refs in comparisons:
                hub = table.get((module, ours, count))
                if not hub:
                    continue
                parts = []
                for ref in refs:
                    other = table.get((module, ref, count))
                    if other and other["rps"] > 0:
                        per_cpu = (
                            f", req per CPU-second x{other['cpu_ms'] / hub['cpu_ms']:.2f}"
                            if "cpu_ms" in hub and "cpu_ms" in other
                            else ""
                        )
                        parts.append(
                            f"x{hub['rps'] / other['rps']:.2f} vs {label(ref)} "
                            f"(p99 {hub['p99']:.0f} vs {other['p99']:.0f} ms{per_cpu})"
                        )
                if parts:
                    print(f"  {module} at {count} clients, {title}: " + "; ".join(parts))
    for title, ours, plain, lit in (
        ("1 worker each", "hubcore:1", "fastapi:1", "litserve:1"),
        ("2 processes each", "hubcore:2", "fastapi:2", "litserve:1"),
    ):
        hub64, plain64, lit64 = (table.get(("lac", b, 64)) for b in (ours, plain, lit))
        if hub64 and plain64 and lit64 and plain64["rps"] > 0 and lit64["rps"] > 0:
            print(
                f"goal at 64 clients (LAC), {title}: >= 3x unbatched: {hub64['rps'] / plain64['rps']:.2f}x; "
                f">= 1.2x LitServe: {hub64['rps'] / lit64['rps']:.2f}x; "
                f"p99 {hub64['p99']:.0f} ms vs LitServe {lit64['p99']:.0f} ms"
            )
            if all("cpu_ms" in row for row in (hub64, plain64, lit64)):
                print(
                    f"  per CPU-second of the servers: x{plain64['cpu_ms'] / hub64['cpu_ms']:.2f} the "
                    f"unbatched endpoint, x{lit64['cpu_ms'] / hub64['cpu_ms']:.2f} LitServe"
                )


if __name__ == "__main__":
    main()
