"""A real server: `hubcore serving start` in a subprocess (uvicorn on 127.0.0.1), then `serving stop`."""

from __future__ import annotations

import concurrent.futures
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import hubcore

CLI = [sys.executable, "-c", "from hubcore.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base: str, server: subprocess.Popen[str], timeout_s: float = 120) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"the server exited early:\n{server.stdout.read() if server.stdout else ''}")
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError("the server did not become ready")


@pytest.mark.slow
def test_serving_start_answers_paddlehub_clients_and_stop_finishes_in_flight_work(
    echo_plugin: Path, tmp_path: Path
) -> None:
    port = _free_port()
    config = tmp_path / "serving.json"
    config.write_text(
        json.dumps(
            {
                "modules_info": {
                    "echo": {
                        "init_args": {"delay": 1.0},
                        "batching": {"max_batch_size": 3, "max_wait_ms": 50},
                    },
                },
                "port": port,
                "use_multiprocess": False,
            }
        ),
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "HUBCORE_OFFLINE": "1",  # lac's weights ship in its package: nothing to fetch
        "HUBCORE_HOME": str(tmp_path / "home"),
        "PYTHONPATH": os.pathsep.join([str(echo_plugin.parent), os.environ.get("PYTHONPATH", "")]),
    }
    server = subprocess.Popen(
        [*CLI, "serving", "start", "-c", str(config), "-m", "lac", "--host", "127.0.0.1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, server)
        # What a PaddleHub Serving client sends, and LAC's own answer.
        answer = httpx.post(f"{base}/predict/lac", json={"text": ["今天是个好日子"]}, timeout=30).json()
        expected = hubcore.Module(name="lac").lexical_analysis(texts=["今天是个好日子"])
        assert answer == {"status": "000", "msg": "", "results": expected}
        assert expected[0]["word"] == ["今天", "是", "个", "好日子"]
        assert (tmp_path / "home" / "serving" / f"{port}.pid").read_text() == str(server.pid)

        # Six slow requests in flight (two batches of three, one second each), then stop.
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            futures = [
                pool.submit(httpx.post, f"{base}/predict/echo", json={"text": [f"in-flight {i}"]}, timeout=60)
                for i in range(6)
            ]
            time.sleep(0.5)
            stopped = subprocess.run(
                [*CLI, "serving", "stop", "-p", str(port)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            responses = [f.result() for f in futures]
        assert stopped.returncode == 0, stopped.stderr
        assert f"stopped the server on port {port}" in stopped.stdout
        for i, response in enumerate(responses):
            assert response.status_code == 200
            assert [r["echo"] for r in response.json()["results"]] == [f"in-flight {i}"]
        assert server.wait(timeout=30) == 0
        assert not (tmp_path / "home" / "serving" / f"{port}.pid").exists()
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{base}/health", timeout=2)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def test_serving_stop_without_a_server_says_so(tmp_path: Path) -> None:
    env = {**os.environ, "HUBCORE_HOME": str(tmp_path)}
    done = subprocess.run(
        [*CLI, "serving", "stop", "-p", "1"], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "no hubcore server runs on port 1" in done.stderr
    assert "Traceback" not in done.stderr
