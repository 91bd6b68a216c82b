"""The prediction route served below FastAPI: same answers, limits and metrics; and its plumbing."""

from __future__ import annotations

import asyncio
import importlib.util
import threading
from typing import Any

import pytest

from hubcore.serving import _predict, _process
from hubcore.serving._batcher import Batcher
from hubcore.serving._runner import classify
from tests.serving.conftest import echo_config, serving_client


@pytest.mark.usefixtures("echo_plugin")
def test_the_direct_route_counts_every_answer_and_applies_the_size_limit() -> None:
    with serving_client(echo_config(max_body_bytes=100)) as client:
        ok = client.post("/predict/echo", json={"text": ["a"]})
        bad_json = client.post("/predict/echo", content=b"{not json")
        too_large = client.post("/predict/echo", json={"text": ["x" * 200]})
        metrics = client.get("/metrics").text
    assert (ok.status_code, ok.headers["content-type"]) == (200, "application/json")
    assert ok.json() == {"status": "000", "msg": "", "results": [{"echo": "a", "tag": "", "batch": 1}]}
    assert (bad_json.status_code, bad_json.json()["status"]) == (400, "101")
    assert (too_large.status_code, too_large.json()["status"]) == (413, "103")
    for status in ("000", "101", "103"):
        assert f'hubcore_requests_total{{module="echo",status="{status}"}} 1.0' in metrics
    assert 'hubcore_request_seconds_count{module="echo"} 3.0' in metrics


@pytest.mark.usefixtures("echo_plugin")
def test_through_the_router_the_route_answers_alike() -> None:
    """Ray Serve's ingress calls the router, not ServingApp's shortcut: both must agree."""
    with serving_client(echo_config(max_items=2)) as client:
        direct = [client.post("/predict/echo", json=body) for body in ({"text": ["a"]}, {"text": ["a"] * 3})]
        client.app.predict = None  # type: ignore[attr-defined]
        routed = [client.post("/predict/echo", json=body) for body in ({"text": ["a"]}, {"text": ["a"] * 3})]
    assert [(r.status_code, r.json()) for r in direct] == [(r.status_code, r.json()) for r in routed]
    assert [r.status_code for r in routed] == [200, 413]


@pytest.mark.usefixtures("echo_plugin")
def test_other_methods_on_predict_are_405_in_the_envelope() -> None:
    with serving_client(echo_config()) as client:
        response = client.get("/predict/echo")
    assert (response.status_code, response.json()["status"]) == (405, "101")


@pytest.mark.usefixtures("echo_plugin")
def test_a_fault_of_the_server_is_a_500_envelope(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any) -> None:
        raise KeyError("oops")

    monkeypatch.setattr(_predict, "parse_request", broken)
    with serving_client(echo_config()) as client:
        response = client.post("/predict/echo", json={"text": ["a"]})
        after = client.get("/health")
    assert (response.status_code, response.json()["status"]) == (500, "199")
    assert "KeyError" in response.json()["msg"]
    assert after.status_code == 200


def test_uvloop_and_httptools_when_installed_else_asyncio_and_h11(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    missing = {"uvloop", "httptools"}
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name in missing else real(name, *a)
    )
    assert _process.protocols() == ("asyncio", "h11")
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: real("json"))
    assert _process.protocols() == ("uvloop", "httptools")


def test_under_load_a_batch_starts_once_it_has_the_previous_ones_size() -> None:
    """Under load the loop waits up to max_wait for a batch to fill: not a moment after it has as
    many inputs as the previous batch (or the most it may take)."""
    started = threading.Event()
    release = threading.Event()
    batches: list[list[str]] = []

    def run(payloads: list[str]) -> list[str]:
        batches.append(payloads)
        if len(batches) == 1:
            started.set()
            release.wait(10)
        return [p.upper() for p in payloads]

    async def scenario() -> list[str]:
        batcher: Batcher[str] = Batcher(
            run, max_batch_size=4, max_wait_ms=60_000, max_queue=100, classify=classify
        )
        batcher.start()
        jobs = [asyncio.ensure_future(batcher.submit("a", 1, (), 120))]
        await asyncio.to_thread(started.wait, 10)
        # While "a" runs, five more arrive: four make a full batch at once; "f" waits (up to a
        # minute) for three more to match that batch, and they come.
        jobs += [asyncio.ensure_future(batcher.submit(p, 1, (), 120)) for p in "bcdef"]
        release.set()
        while batcher._filling != ():
            await asyncio.sleep(0.01)
        jobs += [asyncio.ensure_future(batcher.submit(p, 1, (), 120)) for p in "ghi"]
        answers = await asyncio.wait_for(asyncio.gather(*jobs), 30)
        await batcher.stop()
        return answers

    # Were the loop to wait out max_wait, asyncio.wait_for's 30 s would fail the test.
    assert asyncio.run(scenario()) == list("ABCDEFGHI")
    assert batches == [["a"], ["b", "c", "d", "e"], ["f", "g", "h", "i"]]
