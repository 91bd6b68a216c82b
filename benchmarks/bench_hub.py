"""Cost of the verified asset cache, each figure beside a reference measured in the same run.

    python benchmarks/bench_hub.py [--mib 64]

- cold download through ``fetch_asset`` (stream, sha256, fsync, atomic rename) against a
  bare httpx stream of the same bytes into a file, from the same 127.0.0.1 server;
- a cache hit of ``fetch_asset`` against a bare ``os.stat`` of the cached file;
- ``verify_cache`` against hashing the same file with hashlib directly;
- ``hubcore search lac --json`` in a new process against ``hubcore --help``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def _server(body: bytes) -> tuple[http.server.ThreadingHTTPServer, str]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            view = memoryview(body)
            for offset in range(0, len(body), 1 << 20):
                self.wfile.write(view[offset : offset + (1 << 20)])

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/blob.bin"


def _bare_download(url: str, target: Path) -> None:
    import httpx

    with httpx.stream("GET", url, timeout=30) as response, open(target, "wb") as stream:
        for chunk in response.iter_raw():
            stream.write(chunk)


def _best(function: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _process_seconds(args: list[str], env: dict[str, str], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, check=True, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=int, default=64, help="size of the downloaded asset")
    args = parser.parse_args()

    body = os.urandom(args.mib << 20)
    sha = hashlib.sha256(body).hexdigest()
    httpd, url = _server(body)
    work = Path(tempfile.mkdtemp(prefix="bench-hub-"))
    os.environ["HUBCORE_HOME"] = str(work / "home")
    os.environ.pop("HUBCORE_OFFLINE", None)

    from hubcore import Asset
    from hubcore.hub import clear_cache, fetch_asset, verify_cache

    asset = Asset("blob.bin", sha, len(body), (url,))
    rows = []

    def cold() -> None:
        clear_cache()
        fetch_asset(asset, owner="benchmark")

    cold_s = _best(cold, 3)
    bare_s = _best(lambda: _bare_download(url, work / "bare.bin"), 3)
    mib = len(body) / (1 << 20)
    rows.append(("cold download (MiB/s)", mib / cold_s, "bare httpx stream", mib / bare_s, bare_s / cold_s))

    cached = fetch_asset(asset, owner="benchmark")
    hit_s = _best(lambda: [fetch_asset(asset, owner="benchmark") for _ in range(1000)], 3) / 1000
    stat_s = _best(lambda: [os.stat(cached) for _ in range(1000)], 3) / 1000
    rows.append(("cache hit (µs)", hit_s * 1e6, "os.stat (µs)", stat_s * 1e6, hit_s / stat_s))

    verify_s = _best(verify_cache, 3)
    hash_s = _best(lambda: hashlib.sha256(cached.read_bytes()).hexdigest(), 3)
    rows.append(("cache verify (MiB/s)", mib / verify_s, "hashlib sha256", mib / hash_s, hash_s / verify_s))

    env = {**os.environ, "HUBCORE_OFFLINE": "1"}
    cli = [sys.executable, "-c", "from hubcore.cli import main; main()"]
    search_s = _process_seconds([*cli, "search", "lac", "--json"], env)
    help_s = _process_seconds([*cli, "--help"], env)
    rows.append(("`search lac --json` (s)", search_s, "`hubcore --help` (s)", help_s, search_s / help_s))
    httpd.shutdown()
    shutil.rmtree(work, ignore_errors=True)

    print(f"asset of {mib:.0f} MiB from 127.0.0.1; best of 3 (processes: median of 5)")
    print(f"{'measure':<26}{'hubcore':>12}   {'reference':<22}{'value':>10}   ratio")
    for name, value, ref_name, ref_value, ratio in rows:
        print(f"{name:<26}{value:>12.2f}   {ref_name:<22}{ref_value:>10.2f}   {ratio:.2f}")
    print("ratio: hubcore speed / reference speed for throughputs; hubcore time / reference time otherwise")


if __name__ == "__main__":
    main()
