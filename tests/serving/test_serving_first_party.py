"""First-party modules beyond the echo fixtures, served through their own ServingSpec declarations."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

import hubcore
from hubcore.serving._config import ModuleConfig, ServingConfig
from tests.serving.conftest import served_module, serving_client

PHOTOS = Path(__file__).resolve().parents[2].parent / "shared" / "yolo-golden" / "photos"


def _serve(name: str) -> ServingConfig:
    return ServingConfig(modules=(ModuleConfig(name),))


def test_sentiment_zh_serves_senta_results_per_text() -> None:
    texts = ["这个手机质量很好，非常满意", "太差了，用了两天就坏了"]
    with serving_client(_serve("sentiment_zh")) as client:
        response = client.post("/predict/sentiment_zh", json={"text": texts})
        expected = served_module(client, "sentiment_zh").sentiment_classify(texts=texts)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "000"
    assert [r["sentiment_key"] for r in body["results"]] == [r["sentiment_key"] for r in expected]
    assert [r["text"] for r in body["results"]] == texts


def test_textgen_perplexity_is_served_per_text() -> None:
    texts = ["hello world", "the quick brown fox"]
    with serving_client(_serve("textgen_lstm")) as client:
        response = client.post("/predict/textgen_lstm", json={"text": texts})
        expected = served_module(client, "textgen_lstm").perplexity(texts)
    results = response.json()["results"]
    # The server passes the merged batch's size, which may round the last float digits differently.
    assert [r["perplexity"] for r in results] == pytest.approx([e["perplexity"] for e in expected], rel=1e-5)


def test_efficientnet_classifies_a_base64_photo_with_top_k() -> None:
    encoded = base64.b64encode((PHOTOS / "chelsea.png").read_bytes()).decode()
    with serving_client(_serve("efficientnet_lite0")) as client:
        response = client.post("/predict/efficientnet_lite0", json={"images": [encoded], "top_k": 3})
        expected = served_module(client, "efficientnet_lite0").classification(
            paths=[str(PHOTOS / "chelsea.png")], top_k=3
        )
    (result,) = response.json()["results"]
    assert list(result) == list(expected[0])
    assert any("cat" in label for label in result)


def test_chinese_ocr_reads_a_base64_page_as_bgr_like_the_module() -> None:
    page = Path(__file__).resolve().parents[2] / "hub-ocr" / "tests" / "fixtures" / "page.png"
    encoded = base64.b64encode(page.read_bytes()).decode()
    with serving_client(_serve("chinese_ocr")) as client:
        response = client.post("/predict/chinese_ocr", json={"images": [encoded], "text_thresh": 0.6})
        expected = served_module(client, "chinese_ocr").recognize_text(paths=[str(page)], text_thresh=0.6)
    assert response.status_code == 200
    (result,) = response.json()["results"]
    assert result["data"] and result["save_path"] == ""
    assert result["data"] == expected[0]["data"]  # the same lines, boxes and confidences as a file gives


def test_style_transfer_answers_a_base64_png_equal_to_the_modules_picture() -> None:
    import io

    import numpy as np
    from PIL import Image

    photo = np.asarray(Image.open(PHOTOS / "chelsea.png").convert("RGB"))[:96, :128]
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="PNG")
    encoded = base64.b64encode(buffer.getvalue()).decode()
    with serving_client(_serve("style_transfer_26")) as client:
        response = client.post("/predict/style_transfer_26", json={"images": [encoded], "style": 7})
        expected = served_module(client, "style_transfer_26").style_transfer(
            images=[photo], style=7, visualization=False
        )
    (result,) = response.json()["results"]
    picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(result["data"]))))
    assert result["save_path"] is None and picture.shape == (96, 128, 3)
    assert np.array_equal(picture, expected[0]["data"])  # PNG: the module's pixels, exactly


def test_every_module_of_the_text_and_image_plugins_declares_serving() -> None:
    plugins = {"hub-senta", "hub-textgen", "hub-efficientnet", "hub-ocr", "hub-style"}
    specs = [s for s in hubcore.list_modules() if s.plugin in plugins and s.name != "video_classifier"]
    assert {s.plugin for s in specs} == plugins
    assert all(s.serving is not None for s in specs), [s.name for s in specs if s.serving is None]
    e5 = hubcore.get_module_spec("multilingual-e5-small").serving
    assert e5 is not None and "prefix" in e5.options
    ocr = hubcore.get_module_spec("chinese_ocr").serving
    assert ocr is not None and ocr.image_channels == "BGR" and ocr.fixed == {"visualization": False}
    assert hubcore.get_module_spec("video_classifier").serving is None  # see hub-efficientnet's README
