"""Soak: hubcore's server at twice the rate it sustains, for ten minutes, every answer checked.

1. Starts ``hubcore serving start -m lac`` on 127.0.0.1 (a bounded queue, a 10 s deadline).
2. Measures the sustainable rate: 64 clients in a closed loop for ``--calibrate`` seconds.
3. Offers twice that rate in an open loop (requests sent on a schedule, whatever the answers)
   for ``--duration`` seconds (default 600), at most ``--max-in-flight`` outstanding.
4. Checks every answer against its own request: a 200 must carry exactly LAC's result for the
   sentence sent (computed in this process beforehand; the words also join back into it), an
   overload must be a 503 with Retry-After in the envelope; anything else, a transport error or a
   request never answered counts as a failure.  Samples the server's memory (RSS) and /health
   every 10 s.  Not part of CI: run it by hand and read the summary.

    python benchmarks/soak_serving.py [--duration 600] [--workers 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp

import hubcore

SHARED = Path(__file__).resolve().parents[2] / "shared"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_mb(pid: int) -> float:
    """Resident memory of the server and its children (workers), in MB."""
    total = 0
    for candidate in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{candidate}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def _children(pid: int) -> list[int]:
    try:
        found = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    return [int(child) for child in found]


class Checker:
    """Every answer, checked against the request it belongs to."""

    def __init__(self, expected: list[dict]) -> None:
        self.expected = expected
        self.counts: Counter[str] = Counter()
        self.problems: list[str] = []

    def check(self, index: int, status: int, headers: dict[str, str], body: bytes) -> None:
        try:
            answer = json.loads(body)
        except ValueError:
            self.fail(f"request {index}: HTTP {status} with a body that is not JSON")
            return
        if status == 200:
            if answer.get("status") != "000" or answer.get("results") != [self.expected[index]]:
                self.fail(f"request {index}: a 200 whose results are not this sentence's: {body[:120]!r}")
            else:
                self.counts["ok"] += 1
        elif status == 503:
            if answer.get("status") != "104" or headers.get("Retry-After") != "1":
                self.fail(f"request {index}: a 503 without the overload envelope/Retry-After: {body[:120]!r}")
            else:
                self.counts["503 overloaded"] += 1
        elif status == 504 and answer.get("status") == "105":
            self.counts["504 deadline"] += 1
        else:
            self.fail(f"request {index}: HTTP {status}: {body[:120]!r}")

    def fail(self, problem: str) -> None:
        self.counts["failed"] += 1
        if len(self.problems) < 20:
            self.problems.append(problem)


async def send(session: aiohttp.ClientSession, url: str, body: bytes, index: int, checker: Checker) -> None:
    try:
        async with session.post(url, data=body, headers={"content-type": "application/json"}) as response:
            checker.check(index, response.status, dict(response.headers), await response.read())
    except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
        checker.fail(f"request {index}: no answer ({type(exc).__name__})")


async def closed_loop(url: str, bodies: list[bytes], checker: Checker, clients: int, seconds: float) -> float:
    """Requests per second that ``clients`` back-to-back clients get answered."""
    stop_at = time.monotonic() + seconds
    done = 0

    async def client(offset: int, session: aiohttp.ClientSession) -> None:
        nonlocal done
        i = offset
        while time.monotonic() < stop_at:
            await send(session, url, bodies[i % len(bodies)], i % len(bodies), checker)
            done += 1
            i += clients

    started = time.monotonic()
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        await asyncio.gather(*(client(k, session) for k in range(clients)))
    return done / (time.monotonic() - started)


async def open_loop(
    url: str, bodies: list[bytes], checker: Checker, rate: float, seconds: float, max_in_flight: int, on_tick
) -> tuple[int, int]:
    """Send at ``rate`` per second for ``seconds``; returns (sent, skipped: too many in flight)."""
    sent = skipped = 0
    tasks: set[asyncio.Task[None]] = set()
    connector = aiohttp.TCPConnector(limit=max_in_flight)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        started = time.monotonic()
        next_tick = started + 10
        while (now := time.monotonic()) < started + seconds:
            due = int((now - started) * rate)
            while sent + skipped < due:
                if len(tasks) >= max_in_flight:
                    skipped += 1
                    continue
                index = (sent + skipped) % len(bodies)
                task = asyncio.create_task(send(session, url, bodies[index], index, checker))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                sent += 1
            if now >= next_tick:
                await on_tick(now - started, len(tasks))
                next_tick += 10
            await asyncio.sleep(0.002)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
    return sent, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=600)
    parser.add_argument("--calibrate", type=float, default=20)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-in-flight", type=int, default=1024)
    parser.add_argument("--max-queue", type=int, default=256)
    args = parser.parse_args()

    sentences = [
        s for s in (SHARED / "lac-golden" / "bench.txt").read_text(encoding="utf-8").splitlines() if s.strip()
    ]
    sentences = sentences[:3000]
    expected = hubcore.Module(name="lac").lexical_analysis(texts=sentences, batch_size=64)
    assert all("".join(r["word"]) == s for r, s in zip(expected, sentences, strict=True))
    bodies = [json.dumps({"text": [s]}, ensure_ascii=False).encode() for s in sentences]

    home = Path(tempfile.mkdtemp(prefix="soak-"))
    port = free_port()
    config = home / "serving.json"
    config.write_text(
        json.dumps(
            {
                "modules_info": {"lac": {"batching": {"max_queue": args.max_queue}}},
                "port": port,
                "workers": args.workers,
                "timeout_s": 10,
            }
        )
    )
    env = {**os.environ, "HUBCORE_HOME": str(home), "HUBCORE_OFFLINE": "1"}
    server = subprocess.Popen(
        [sys.executable, "-c", "from hubcore.cli import main; main()", "serving", "start", "-c", str(config)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/predict/lac"
    try:
        for _ in range(600):
            try:
                if (
                    subprocess.run(
                        ["curl", "-sf", f"http://127.0.0.1:{port}/ready"], capture_output=True
                    ).returncode
                    == 0
                ):
                    break
            except OSError:
                pass
            time.sleep(0.2)
        calibration = Checker(expected)
        sustainable = asyncio.run(closed_loop(url, bodies, calibration, 64, args.calibrate))
        rate = 2 * sustainable
        print(
            f"sustainable: {sustainable:.0f} req/s (64 clients, closed loop; {dict(calibration.counts)}); "
            f"offering {rate:.0f} req/s for {args.duration:g} s",
            flush=True,
        )
        checker = Checker(expected)
        memory: list[tuple[float, float]] = []
        health_failures = 0

        async def tick(elapsed: float, in_flight: int) -> None:
            nonlocal health_failures
            memory.append((elapsed, rss_mb(server.pid)))
            try:
                async with (
                    aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as s,
                    s.get(f"http://127.0.0.1:{port}/health") as r,
                ):
                    health_failures += r.status != 200
            except (aiohttp.ClientError, asyncio.TimeoutError):
                health_failures += 1
            print(
                f"  {elapsed:5.0f} s: rss {memory[-1][1]:7.1f} MB, in flight {in_flight:4d}, "
                f"{dict(checker.counts)}",
                flush=True,
            )

        sent, skipped = asyncio.run(
            open_loop(url, bodies, checker, rate, args.duration, args.max_in_flight, tick)
        )
        answered = sum(checker.counts.values())
        alive = server.poll() is None
        print("\nsummary")
        print(
            f"  offered {rate:.0f} req/s = 2 x {sustainable:.0f}; sent {sent}, "
            f"not sent (client at {args.max_in_flight} "
            f"in flight) {skipped}; answered or failed {answered}; lost {sent - answered}"
        )
        print(f"  outcomes: {dict(checker.counts)}")
        print(f"  server still up: {alive}; /health failures: {health_failures}")
        if memory:
            first = memory[min(2, len(memory) - 1)][1]
            print(
                f"  rss: {memory[0][1]:.1f} MB at {memory[0][0]:.0f} s, "
                f"{first:.1f} MB at {memory[min(2, len(memory) - 1)][0]:.0f} s, "
                f"{memory[-1][1]:.1f} MB at the end, max {max(m for _, m in memory):.1f} MB"
            )
        for problem in checker.problems:
            print(f"  problem: {problem}")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
