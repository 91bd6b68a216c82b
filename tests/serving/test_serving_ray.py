"""The same modules on Ray Serve, against a local Ray the test starts on 127.0.0.1."""

from __future__ import annotations

import concurrent.futures
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import hubcore
from hubcore.serving._config import Batching, ModuleConfig, ServingConfig

ray = pytest.importorskip(
    "ray"
)  # the `ray` extra is in the suite's environment (noxfile); this only names it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def local_ray(echo_plugin: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A Ray instance of this test alone, whose workers import the echo plugin too."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join([str(echo_plugin.parent), os.environ.get("PYTHONPATH", "")])
    )
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    ray.init(
        address="local",
        _node_ip_address="127.0.0.1",
        num_cpus=4,
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        yield
    finally:
        from hubcore.serving._ray import shutdown

        shutdown()


@pytest.mark.slow
@pytest.mark.usefixtures("local_ray")
def test_ray_serve_answers_the_same_routes_and_envelope_and_batches() -> None:
    from hubcore.serving._ray import deploy

    port = _free_port()
    config = ServingConfig(
        modules=(
            ModuleConfig(
                "echo",
                init_args={"delay": 0.05},
                batching=Batching(max_batch_size=8, max_wait_ms=30),
                ray={"num_replicas": 1},
            ),
            ModuleConfig("lac", ray={"num_replicas": 1}),
        ),
        port=port,
    )
    deploy(config)
    base = f"http://127.0.0.1:{port}"

    lac = httpx.post(f"{base}/predict/lac", json={"text": ["今天是个好日子"]}, timeout=60).json()
    assert lac == {
        "status": "000",
        "msg": "",
        "results": hubcore.Module(name="lac").lexical_analysis(texts=["今天是个好日子"]),
    }

    def send(i: int) -> tuple[int, httpx.Response]:
        texts = ["bad"] if i == 7 else [f"ray{i}-{k}" for k in range(1 + i % 2)]
        return i, httpx.post(f"{base}/predict/echo", json={"text": texts, "tag": f"t{i % 3}"}, timeout=60)

    with concurrent.futures.ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(send, range(48)))
    for i, response in answers:
        if i == 7:
            assert (response.status_code, response.json()["status"]) == (400, "101")
            assert "'bad' is refused" in response.json()["msg"]
            continue
        assert response.status_code == 200
        results = response.json()["results"]
        assert [r["echo"] for r in results] == [f"ray{i}-{k}" for k in range(1 + i % 2)]
        assert {r["tag"] for r in results} == {f"t{i % 3}"}
    assert max(r.json()["results"][0]["batch"] for i, r in answers if i != 7) > 2  # Ray Serve merged calls

    unknown = httpx.post(f"{base}/predict/nothing", json={"text": ["x"]}, timeout=30)
    assert (unknown.status_code, unknown.json()["status"]) == (404, "102")
    modules = httpx.get(f"{base}/modules", timeout=30).json()["results"]
    assert {m["name"]: m["backend"] for m in modules} == {"echo": "ray", "lac": "ray"}
    assert httpx.get(f"{base}/ready", timeout=30).json()["results"]["ready"] is True
    assert (
        'hubcore_requests_total{module="echo",status="000"} 47.0'
        in httpx.get(f"{base}/metrics", timeout=30).text
    )
