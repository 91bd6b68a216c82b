"""Reading detection data sets in Pascal VOC or COCO layout, with errors that name the file and field.

VOC: ``Annotations/<id>.xml``, images under ``JPEGImages/``, splits in ``ImageSets/Main/<split>.txt``.
COCO: ``annotations/instances_<split>.json`` with images under ``images/`` (or beside it).
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path


class DetectionDataError(ValueError):
    """An annotation file is missing, malformed, or points at something that is not there."""


@dataclass(frozen=True)
class DetectionSample:
    """One image and its boxes ``(x1, y1, x2, y2)`` in pixels, with class indices."""

    image: Path
    boxes: tuple[tuple[float, float, float, float], ...]
    labels: tuple[int, ...]


def detect_format(root: Path) -> str:
    if (root / "Annotations").is_dir():
        return "voc"
    if (root / "annotations").is_dir():
        return "coco"
    raise DetectionDataError(f"{root}: neither a VOC (Annotations/) nor a COCO (annotations/) data set")


def load_split(
    root: str | os.PathLike[str], split: str, label_list: list[str] | None = None
) -> tuple[list[DetectionSample], list[str]]:
    """The samples of ``split`` and the label list (given, or read from the data set)."""
    root = Path(root)
    if detect_format(root) == "voc":
        return _load_voc(root, split, label_list)
    return _load_coco(root, split, label_list)


def read_label_list(root: Path) -> list[str]:
    """VOC: ``labels.txt`` one name a line; COCO: the categories of the train file, by id."""
    if detect_format(root) == "coco":
        _, categories = _read_coco(root, "train")
        return [name for _, name in sorted(categories.items())]
    path = root / "labels.txt"
    if not path.is_file():
        raise DetectionDataError(
            f"{path}: missing; a VOC data set here lists its class names there, one a line"
        )
    names = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not names:
        raise DetectionDataError(f"{path}: lists no class names")
    return names


def _load_voc(
    root: Path, split: str, label_list: list[str] | None
) -> tuple[list[DetectionSample], list[str]]:
    labels = label_list or read_label_list(root)
    index = {name: i for i, name in enumerate(labels)}
    split_file = root / "ImageSets" / "Main" / f"{split}.txt"
    if not split_file.is_file():
        return [], labels
    samples = []
    for line_no, line in enumerate(split_file.read_text(encoding="utf-8").splitlines(), 1):
        image_id = line.strip()
        if image_id:
            samples.append(
                _read_voc_xml(
                    root, root / "Annotations" / f"{image_id}.xml", index, f"{split_file}:{line_no}"
                )
            )
    return samples, labels


def _read_voc_xml(root: Path, path: Path, index: dict[str, int], where: str) -> DetectionSample:
    if not path.is_file():
        raise DetectionDataError(f"{where}: annotation {path} does not exist")
    try:
        tree = ET.parse(path).getroot()
    except ET.ParseError as exc:
        raise DetectionDataError(f"{path}: not well-formed XML ({exc})") from None
    filename = tree.findtext("filename")
    if not filename:
        raise DetectionDataError(f"{path}: <filename> is missing")
    image = root / "JPEGImages" / filename
    if not image.is_file():
        raise DetectionDataError(f"{path}: <filename> {filename!r} is not in {root / 'JPEGImages'}")
    boxes, labels = [], []
    for n, obj in enumerate(tree.findall("object"), 1):
        name = (obj.findtext("name") or "").strip()
        if name not in index:
            raise DetectionDataError(
                f"{path}: object {n}: <name> {name!r} is not a known label {sorted(index)}"
            )
        box = obj.find("bndbox")
        try:
            coords = tuple(float(box.findtext(tag)) for tag in ("xmin", "ymin", "xmax", "ymax"))  # type: ignore[union-attr, arg-type]
        except (AttributeError, TypeError, ValueError):
            raise DetectionDataError(
                f"{path}: object {n}: <bndbox> needs numeric xmin, ymin, xmax, ymax"
            ) from None
        boxes.append(_checked_box(coords, f"{path}: object {n}"))
        labels.append(index[name])
    return DetectionSample(image, tuple(boxes), tuple(labels))


def _checked_box(box: tuple[float, ...], where: str) -> tuple[float, float, float, float]:
    x1, y1, x2, y2 = box
    if not (x2 > x1 and y2 > y1):
        raise DetectionDataError(f"{where}: box {box} has no area (need x2 > x1 and y2 > y1)")
    return (x1, y1, x2, y2)


def _read_coco(root: Path, split: str) -> tuple[dict[str, object], dict[int, str]]:
    path = root / "annotations" / f"instances_{split}.json"
    if not path.is_file():
        return {}, {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        categories = {int(c["id"]): str(c["name"]) for c in data["categories"]}
    except json.JSONDecodeError as exc:
        raise DetectionDataError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from None
    except (KeyError, TypeError, ValueError) as exc:
        raise DetectionDataError(
            f"{path}: 'categories' entries need an integer 'id' and a 'name' ({exc})"
        ) from None
    data["_path"] = str(path)
    return data, categories


def _load_coco(
    root: Path, split: str, label_list: list[str] | None
) -> tuple[list[DetectionSample], list[str]]:
    data, categories = _read_coco(root, split)
    labels = label_list or read_label_list(root)
    if not data:
        return [], labels
    path = data["_path"]
    index = {name: i for i, name in enumerate(labels)}
    images: dict[int, Path] = {}
    for n, entry in enumerate(data.get("images", [])):  # type: ignore[attr-defined]
        try:
            image_id, file_name = int(entry["id"]), str(entry["file_name"])
        except (KeyError, TypeError, ValueError):
            raise DetectionDataError(f"{path}: images[{n}] needs an integer 'id' and a 'file_name'") from None
        candidates = [root / "images" / file_name, root / file_name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            raise DetectionDataError(
                f"{path}: images[{n}] file_name {file_name!r} is not under {root / 'images'}"
            )
        images[image_id] = found
    boxes: dict[int, list[tuple[float, float, float, float]]] = {i: [] for i in images}
    classes: dict[int, list[int]] = {i: [] for i in images}
    for n, ann in enumerate(data.get("annotations", [])):  # type: ignore[attr-defined]
        where = f"{path}: annotations[{n}]"
        try:
            image_id, category = int(ann["image_id"]), int(ann["category_id"])
            x, y, w, h = (float(v) for v in ann["bbox"])
        except (KeyError, TypeError, ValueError):
            raise DetectionDataError(
                f"{where}: needs 'image_id', 'category_id' and a 4-number 'bbox'"
            ) from None
        if image_id not in images:
            raise DetectionDataError(f"{where}: image_id {image_id} is not among the images")
        if category not in categories or categories[category] not in index:
            raise DetectionDataError(f"{where}: category_id {category} is not a known category")
        boxes[image_id].append(_checked_box((x, y, x + w, y + h), where))
        classes[image_id].append(index[categories[category]])
    samples = [DetectionSample(images[i], tuple(boxes[i]), tuple(classes[i])) for i in sorted(images)]
    return samples, labels
