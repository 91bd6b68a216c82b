"""The whole pipeline equals RapidOCR's (the original, on ONNX Runtime) on real images.

Same strings in the same order, box corners within 2 pixels, confidences within 1e-3: on
scikit-image's scanned page and text image, and on real Chinese sentences rendered with a real
CJK font at several sizes, on several backgrounds, upright and turned 180 degrees.
"""

from __future__ import annotations

import numpy as np
import pytest
from ocr_samples import Sample, edit_distance, rendered_set


def assert_same_as_reference(ours, theirs) -> None:  # type: ignore[no-untyped-def]
    theirs = theirs or []
    assert [line.text for line in ours] == [row[1] for row in theirs]
    for line, (box, _text, confidence) in zip(ours, theirs, strict=True):
        assert np.abs(line.box - np.array(box)).max() <= 2.0
        assert abs(line.confidence - confidence) <= 1e-3


@pytest.mark.parametrize("image", ["page_bgr", "text_bgr"])
def test_scikit_image_pictures_read_as_rapidocr_reads_them(pipeline, reference, image: str, request) -> None:  # type: ignore[no-untyped-def]
    bgr = request.getfixturevalue(image)
    ours = pipeline(bgr)
    theirs, _ = reference(bgr)
    assert_same_as_reference(ours, theirs)
    assert len(ours) >= 2


def test_page_text_is_read(pipeline, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    texts = [line.text for line in pipeline(page_bgr)]
    assert texts[0] == "Region-basedsegmentation"
    assert "Let us first determine markers of the coins and the" in texts


def test_thresholds_are_passed_on_as_rapidocr_passes_them(pipeline, reference, page_bgr: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    ours = pipeline(page_bgr, box_thresh=0.7, text_thresh=0.96)
    theirs, _ = reference(page_bgr, box_thresh=0.7, text_score=0.96)
    assert_same_as_reference(ours, theirs)
    assert 0 < len(ours) < len(pipeline(page_bgr))  # the text threshold really dropped lines
    reference(page_bgr, box_thresh=0.5, text_score=0.5)  # RapidOCR keeps kwargs: put its defaults back


@pytest.mark.slow
def test_without_direction_classification_as_rapidocr_without_it(pipeline, reference, cjk_font) -> None:  # type: ignore[no-untyped-def]
    from hub_ocr.weights import dictionary

    (sample,) = [s for s in rendered_set(2, cjk_font, set(dictionary())) if s.rotated]
    bgr = np.ascontiguousarray(sample.image[:, :, ::-1])
    ours = pipeline(bgr, angle_classification=False)
    theirs, _ = reference(bgr, use_cls=False)
    assert_same_as_reference(ours, theirs)
    with_cls = pipeline(bgr)
    assert [line.text for line in with_cls] != [line.text for line in ours]  # turning the line matters


@pytest.fixture(scope="module")
def rendered(cjk_font) -> list[Sample]:  # type: ignore[no-untyped-def]
    from hub_ocr.weights import dictionary

    samples = rendered_set(5, cjk_font, set(dictionary()))
    samples += rendered_set(2, cjk_font, set(dictionary()), lines_per_image=2)[1:]
    return samples


@pytest.mark.slow
def test_rendered_chinese_reads_as_rapidocr_reads_it(pipeline, reference, rendered: list[Sample]) -> None:  # type: ignore[no-untyped-def]
    assert {s.size for s in rendered} == {20, 30, 44} and {s.rotated for s in rendered} == {False, True}
    assert len({s.background for s in rendered}) == 5
    errors = characters = 0
    for sample in rendered:
        bgr = np.ascontiguousarray(sample.image[:, :, ::-1])
        ours = pipeline(bgr)
        theirs, _ = reference(bgr)
        assert_same_as_reference(ours, theirs)
        truth = "".join(sample.lines[::-1] if sample.rotated else sample.lines)
        errors += edit_distance("".join(line.text for line in ours), truth)
        characters += len(truth)
    assert errors / characters < 0.15  # it really reads Chinese (the README has the full set's figure)
