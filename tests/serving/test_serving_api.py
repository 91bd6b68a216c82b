"""The HTTP API: PaddleHub Serving's envelope on every route, and every error code."""

from __future__ import annotations

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.serving.conftest import echo_config, served_module, serving_client

pytestmark = pytest.mark.usefixtures("echo_plugin")


def test_predict_answers_in_paddlehub_servings_envelope() -> None:
    with serving_client(echo_config()) as client:
        response = client.post("/predict/echo", json={"text": ["一", "二"], "tag": "t"})
    assert response.status_code == 200
    assert response.json() == {
        "status": "000",
        "msg": "",
        "results": [{"echo": "一", "tag": "t", "batch": 2}, {"echo": "二", "tag": "t", "batch": 2}],
    }
    assert "一" in response.text  # Chinese stays readable, as PaddleHub answered


def test_an_alias_reaches_the_same_module() -> None:
    with serving_client(echo_config()) as client:
        response = client.post("/predict/echo-alias", json={"text": ["x"]})
    assert response.json()["results"] == [{"echo": "x", "tag": "", "batch": 1}]


def test_images_arrive_as_arrays_and_fixed_keywords_are_passed() -> None:
    picture = np.zeros((6, 4, 3), dtype=np.uint8)
    picture[..., 0] = 90
    buffer = io.BytesIO()
    Image.fromarray(picture).save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    with serving_client(echo_config()) as client:
        response = client.post("/predict/pixels", json={"images": [encoded], "names": ["a"]})
    assert response.json()["results"] == [{"name": "a", "shape": [6, 4, 3], "mean": 60.0}]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        (b"{not json", "not valid JSON"),
        (json.dumps(["x"]).encode(), "must be a JSON object"),
        (json.dumps({"txt": ["x"]}).encode(), "unknown field(s) ['txt']"),
        (json.dumps({"tag": "x"}).encode(), "missing field 'text'"),
        (json.dumps({"text": "x"}).encode(), "must be a list"),
        (json.dumps({"text": []}).encode(), "is empty"),
        (json.dumps({"text": ["x"], "tag": ["a"]}).encode(), "option 'tag' must be"),
        (json.dumps({"text": ["bad one"]}).encode(), "'bad one' is refused"),
        (json.dumps({"text": [3]}).encode(), "3 is not a str"),
    ],
)
def test_bad_input_is_400_with_status_101_and_a_reason(body: bytes, fragment: str) -> None:
    with serving_client(echo_config()) as client:
        response = client.post("/predict/echo", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["status"] == "101"
    assert fragment in response.json()["msg"]
    assert response.json()["results"] == ""


@pytest.mark.parametrize(
    ("images", "fragment"),
    [
        (["%%%"], "images[0]: not valid base64"),
        ([base64.b64encode(b"no image").decode()], "images[0]: not an image"),
    ],
)
def test_a_bad_image_is_400_naming_it(images: list[str], fragment: str) -> None:
    with serving_client(echo_config()) as client:
        response = client.post("/predict/pixels", json={"images": images, "names": ["a"]})
    assert (response.status_code, response.json()["status"]) == (400, "101")
    assert fragment in response.json()["msg"]


def test_input_lists_of_different_lengths_are_400() -> None:
    with serving_client(echo_config()) as client:
        response = client.post("/predict/pixels", json={"images": [], "names": ["a"]})
    assert response.status_code == 400
    assert "differ in length" in response.json()["msg"]


def test_unknown_module_and_route_are_404_with_status_102() -> None:
    with serving_client(echo_config()) as client:
        module = client.post("/predict/nothing", json={"text": ["x"]})
        route = client.get("/no/such/route")
    assert (module.status_code, module.json()["status"]) == (404, "102")
    assert "served: echo, pixels" in module.json()["msg"]
    assert (route.status_code, route.json()["status"]) == (404, "102")


def test_a_body_over_the_limit_is_413_declared_or_streamed() -> None:
    with serving_client(echo_config(max_body_bytes=100)) as client:
        declared = client.post("/predict/echo", json={"text": ["x" * 200]})

        def chunks():  # no Content-Length: the limit is applied while reading
            yield b'{"text": ["'
            yield b"y" * 200
            yield b'"]}'

        streamed = client.post("/predict/echo", content=chunks())
    for response in (declared, streamed):
        assert (response.status_code, response.json()["status"]) == (413, "103")


def test_too_many_inputs_in_one_request_is_413() -> None:
    with serving_client(echo_config(max_items=3)) as client:
        response = client.post("/predict/echo", json={"text": ["a", "b", "c", "d"]})
    assert (response.status_code, response.json()["status"]) == (413, "103")
    assert "at most 3" in response.json()["msg"]


def test_a_request_past_its_deadline_is_504() -> None:
    with serving_client(echo_config(timeout_s=0.2, init_args={"delay": 1.0})) as client:
        response = client.post("/predict/echo", json={"text": ["slow"]})
    assert (response.status_code, response.json()["status"]) == (504, "105")


def test_a_module_failure_is_500_and_the_worker_goes_on() -> None:
    with serving_client(echo_config()) as client:
        failed = client.post("/predict/echo", json={"text": ["crash"]})
        after = client.post("/predict/echo", json={"text": ["fine"]})
    assert (failed.status_code, failed.json()["status"]) == (500, "199")
    assert "the model fell over" in failed.json()["msg"]
    assert after.json()["results"][0]["echo"] == "fine"


def test_health_ready_modules_metrics_and_openapi() -> None:
    with serving_client(echo_config()) as client:
        client.post("/predict/echo", json={"text": ["a", "b"]})
        client.post("/predict/echo", json={"text": ["bad"]})
        health = client.get("/health").json()
        ready = client.get("/ready").json()
        modules = client.get("/modules").json()["results"]
        metrics = client.get("/metrics").text
        openapi = client.get("/openapi.json").json()
        docs = client.get("/docs")
    assert health == {"status": "000", "msg": "", "results": {"alive": True}}
    assert ready["results"] == {"ready": True, "modules": ["echo", "pixels"]}
    echo = next(m for m in modules if m["name"] == "echo")
    assert (echo["inputs"], echo["options"], echo["aliases"], echo["max_batch_size"]) == (
        ["text"],
        ["tag"],
        ["echo-alias"],
        16,
    )
    assert 'hubcore_requests_total{module="echo",status="000"} 1.0' in metrics
    assert 'hubcore_requests_total{module="echo",status="101"} 1.0' in metrics
    assert 'hubcore_batch_size_sum{module="echo"} 3.0' in metrics  # the refused one ran too
    assert 'hubcore_batch_size_count{module="echo"} 2.0' in metrics
    assert 'hubcore_request_seconds_count{module="echo"} 2.0' in metrics
    assert 'hubcore_queue_depth{module="echo"} 0.0' in metrics
    assert "/predict/{module}" in openapi["paths"]
    assert docs.status_code == 200 and "swagger" in docs.text.lower()


def test_ready_is_503_until_modules_load(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from hubcore.serving._app import create_app

    client = TestClient(create_app(echo_config()))  # no `with`: the lifespan (loading) has not run
    response = client.get("/ready")
    predict = client.post("/predict/echo", json={"text": ["x"]})
    assert (response.status_code, response.json()["status"]) == (503, "106")
    assert response.headers["retry-after"] == "1"
    assert predict.status_code == 404  # nothing is loaded, so nothing answers to the name yet


def test_predict_args_from_the_config_reach_the_method() -> None:
    from hubcore.serving._config import ModuleConfig, ServingConfig

    config = ServingConfig(modules=(ModuleConfig("echo", predict_args={"tag": "fixed", "use_gpu": False}),))
    with serving_client(config) as client:
        response = client.post("/predict/echo", json={"text": ["x"]})
        module = served_module(client, "echo")
    assert response.json()["results"] == [{"echo": "x", "tag": "fixed", "batch": 1}]
    assert module.batches == [1]
