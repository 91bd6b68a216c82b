"""Dynamic batching under concurrency: merged calls, every answer to its own request, bounded queues."""

from __future__ import annotations

import concurrent.futures
import random

import pytest

from tests.serving.conftest import echo_config, served_module, serving_client

pytestmark = pytest.mark.usefixtures("echo_plugin")


def _texts(i: int) -> list[str]:
    """Request i carries 1-3 texts that name it, so a misplaced result shows."""
    return [f"req{i}-item{k}" for k in range(1 + i % 3)]


def test_concurrent_requests_share_batches_and_each_gets_its_own_results() -> None:
    config = echo_config(init_args={"delay": 0.02}, batching={"max_batch_size": 16, "max_wait_ms": 20})
    with serving_client(config) as client:

        def send(i: int) -> tuple[int, dict]:
            tag = "upper" if i % 2 else "lower"  # two option groups, never mixed in one batch
            return i, client.post("/predict/echo", json={"text": _texts(i), "tag": tag}).json()

        with concurrent.futures.ThreadPoolExecutor(32) as pool:
            answers = list(pool.map(send, range(120)))
        batches = served_module(client, "echo").batches
    for i, answer in answers:
        assert answer["status"] == "000"
        assert [r["echo"] for r in answer["results"]] == _texts(i)
        assert {r["tag"] for r in answer["results"]} == {"upper" if i % 2 else "lower"}
    assert sum(batches) == sum(len(_texts(i)) for i in range(120))
    assert max(batches) > 3  # requests were merged...
    assert max(batches) <= 16  # ...up to the batch size
    assert len(batches) < 120


def test_a_bad_request_in_a_batch_fails_alone() -> None:
    config = echo_config(init_args={"delay": 0.01}, batching={"max_batch_size": 64, "max_wait_ms": 50})
    with serving_client(config) as client:
        bad = set(random.Random(0).sample(range(60), 6))

        def send(i: int) -> tuple[int, int, dict]:
            texts = [f"bad{i}"] if i in bad else _texts(i)
            response = client.post("/predict/echo", json={"text": texts})
            return i, response.status_code, response.json()

        with concurrent.futures.ThreadPoolExecutor(30) as pool:
            answers = list(pool.map(send, range(60)))
    for i, code, answer in answers:
        if i in bad:
            assert (code, answer["status"]) == (400, "101")
            assert f"'bad{i}' is refused" in answer["msg"]
        else:
            assert code == 200
            assert [r["echo"] for r in answer["results"]] == _texts(i)


def test_past_the_queue_bound_requests_get_503_with_retry_after() -> None:
    config = echo_config(
        init_args={"delay": 0.3}, batching={"max_batch_size": 2, "max_wait_ms": 0, "max_queue": 4}
    )
    with serving_client(config) as client:

        def send(i: int):
            return i, client.post("/predict/echo", json={"text": [f"r{i}"]})

        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(send, range(20)))
    refused = [r for _, r in answers if r.status_code == 503]
    served = [(i, r) for i, r in answers if r.status_code == 200]
    assert refused and served
    assert len(refused) + len(served) == 20
    for response in refused:
        assert response.json()["status"] == "104"
        assert response.headers["retry-after"] == "1"
    for i, response in served:
        assert response.json()["results"][0]["echo"] == f"r{i}"


def test_a_request_that_times_out_in_the_queue_is_never_computed() -> None:
    config = echo_config(
        timeout_s=0.3, init_args={"delay": 0.5}, batching={"max_batch_size": 1, "max_wait_ms": 0}
    )
    with serving_client(config) as client:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            first = pool.submit(client.post, "/predict/echo", json={"text": ["first"]})
            second = pool.submit(client.post, "/predict/echo", json={"text": ["second"]})
            codes = sorted([first.result().status_code, second.result().status_code])
        module = served_module(client, "echo")
    assert codes == [504, 504]  # the first ran too long, the second waited past its deadline
    assert len(module.seen) == 1  # whichever queued second was dropped unrun when its deadline passed
