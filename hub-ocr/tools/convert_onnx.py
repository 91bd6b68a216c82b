"""Convert the PP-OCR ONNX graphs shipped in rapidocr-onnxruntime 1.4.4 into hub-ocr's safetensors.

Run once, by a maintainer, with ``onnx``, ``pyyaml``, ``safetensors`` and torch installed:

    pip download --no-deps -d /tmp/w rapidocr-onnxruntime==1.4.4
    python hub-ocr/tools/convert_onnx.py /tmp/w/rapidocr_onnxruntime-1.4.4-py3-none-any.whl

It reads the three graphs straight from the wheel (checking the wheel's sha256 first), collects
their parameters in graph order - convolutions (with a bias that may sit in the next Add),
batch norms, the PP-LCNetV3 affine scalars, linear layers and layer norms - and assigns them to the
torch networks' layers in the order a forward pass runs them, checking every shape.  It also writes
the recogniser's dictionary (from the ONNX metadata) and the pipeline settings (from config.yaml).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import torch
import yaml
from onnx import numpy_helper
from safetensors.torch import save_file
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from hub_ocr.cls_net import DirectionClassifier  # noqa: E402
from hub_ocr.det_net import TextDetector  # noqa: E402
from hub_ocr.layers import Affine  # noqa: E402
from hub_ocr.rec_net import TextRecognizer  # noqa: E402

WHEEL_SHA256 = "971d7d5f223a7a808662229df1ef69893809d8457d834e6373d3854bc1782cbf"
MEMBERS = {
    "det": "rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx",
    "cls": "rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx",
    "rec": "rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx",
}
CONFIG_MEMBER = "rapidocr_onnxruntime/config.yaml"
NETWORKS = {"det": TextDetector, "cls": DirectionClassifier, "rec": TextRecognizer}


def graph_parameters(model: onnx.ModelProto) -> dict[str, list[list[np.ndarray]]]:
    """Parameters per layer kind, in graph order: conv, bn, affine, linear, ln."""
    graph = model.graph
    consts: dict[str, np.ndarray] = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    consumers: dict[str, list[onnx.NodeProto]] = {}
    producers: dict[str, onnx.NodeProto] = {}
    for node in graph.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        elif node.op_type == "Reshape" and all(i in consts for i in node.input):
            consts[node.output[0]] = consts[node.input[0]].reshape(-1)
        for name in node.input:
            consumers.setdefault(name, []).append(node)
        for name in node.output:
            producers[name] = node

    def following_const_add(output: str) -> np.ndarray | None:
        users = consumers.get(output, [])
        if len(users) == 1 and users[0].op_type == "Add":
            other = [i for i in users[0].input if i != output]
            if len(other) == 1 and other[0] in consts:
                return consts[other[0]].reshape(-1)
        return None

    found: dict[str, list[list[np.ndarray]]] = {k: [] for k in ("conv", "bn", "affine", "linear", "ln")}
    for node in graph.node:
        op, inputs = node.op_type, list(node.input)
        if op in ("Conv", "ConvTranspose"):
            bias = consts[inputs[2]] if len(inputs) > 2 else following_const_add(node.output[0])
            found["conv"].append([consts[inputs[1]]] + ([bias] if bias is not None else []))
        elif op == "BatchNormalization":
            found["bn"].append([consts[i] for i in inputs[1:5]])
        elif op == "Mul" and inputs[0] in consts and consts[inputs[0]].size == 1 and inputs[1] not in consts:
            bias = following_const_add(node.output[0])
            if bias is None:
                raise ValueError(f"affine scale {node.output[0]} has no bias after it")
            found["affine"].append([consts[inputs[0]].reshape(1), bias.reshape(1)])
        elif op == "MatMul" and inputs[1] in consts:
            bias = following_const_add(node.output[0])
            found["linear"].append([consts[inputs[1]].T] + ([bias] if bias is not None else []))
        elif (
            op == "Mul" and inputs[1] in consts and consts[inputs[1]].ndim == 1 and consts[inputs[1]].size > 1
            and inputs[0] in producers and producers[inputs[0]].op_type == "Div"
        ):  # fmt: skip
            found["ln"].append([consts[inputs[1]], following_const_add(node.output[0])])
    return found


def layers_in_run_order(network: nn.Module, sample: torch.Tensor) -> list[tuple[str, str, nn.Module]]:
    """(kind, qualified name, layer) for every parameter-holding layer, in the order forward runs them."""
    kinds = {
        nn.Conv2d: "conv", nn.ConvTranspose2d: "conv", nn.BatchNorm2d: "bn", Affine: "affine",
        nn.Linear: "linear", nn.LayerNorm: "ln",
    }  # fmt: skip
    names = {id(m): n for n, m in network.named_modules()}
    order: list[tuple[str, str, nn.Module]] = []
    hooks = []
    for module in network.modules():
        kind = kinds.get(type(module))
        if kind is not None:
            hooks.append(
                module.register_forward_hook(
                    lambda m, _i, _o, kind=kind: order.append((kind, names[id(m)], m))
                )
            )
    with torch.no_grad():
        network.eval()(sample)
    for hook in hooks:
        hook.remove()
    return order


def fill(network: nn.Module, params: dict[str, list[list[np.ndarray]]], sample: torch.Tensor) -> None:
    order = layers_in_run_order(network, sample)
    cursor = {k: 0 for k in params}
    for kind, name, layer in order:
        values = params[kind][cursor[kind]]
        cursor[kind] += 1
        if kind == "bn":
            targets = [layer.weight, layer.bias, layer.running_mean, layer.running_var]
        elif kind == "affine":
            targets = [layer.scale, layer.bias]
        else:
            targets = [layer.weight] + ([layer.bias] if layer.bias is not None else [])
        if len(targets) != len(values):
            raise ValueError(f"{name}: {len(values)} tensors in the graph, {len(targets)} in torch")
        for target, value in zip(targets, values, strict=True):
            tensor = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)).reshape(target.shape)
            if tensor.numel() != target.numel():
                raise ValueError(f"{name}: graph shape {value.shape} != torch shape {tuple(target.shape)}")
            with torch.no_grad():
                target.copy_(tensor)
    for kind, used in cursor.items():
        if used != len(params[kind]):
            raise ValueError(f"{len(params[kind]) - used} {kind} parameter sets of the graph left unused")


SAMPLES = {"det": (1, 3, 64, 64), "cls": (1, 3, 48, 192), "rec": (1, 3, 48, 320)}


def pipeline_settings(config: dict[str, Any]) -> dict[str, Any]:
    """The parts of RapidOCR's config.yaml that the pipeline reads."""
    keep = {
        "Global": ["text_score", "min_height", "width_height_ratio", "max_side_len", "min_side_len"],
        "Det": ["limit_side_len", "limit_type", "mean", "std", "thresh", "box_thresh", "max_candidates",
                "unclip_ratio", "use_dilation", "score_mode"],
        "Cls": ["cls_image_shape", "cls_batch_num", "cls_thresh", "label_list"],
        "Rec": ["rec_img_shape", "rec_batch_num"],
    }  # fmt: skip
    return {section: {k: config[section][k] for k in keys} for section, keys in keep.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("wheel", type=Path, help="rapidocr_onnxruntime-1.4.4-py3-none-any.whl")
    parser.add_argument("--out", type=Path, default=HERE.parent / "src" / "hub_ocr" / "data")
    args = parser.parse_args()
    digest = hashlib.sha256(args.wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{args.wheel}: sha256 {digest} is not the recorded {WHEEL_SHA256}")
    args.out.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(args.wheel) as wheel:
        for key, member in MEMBERS.items():
            model = onnx.load_model(io.BytesIO(wheel.read(member)))
            network = NETWORKS[key]()
            fill(network, graph_parameters(model), torch.zeros(SAMPLES[key]))
            state = {k: v.contiguous() for k, v in network.state_dict().items() if "num_batches" not in k}
            save_file(state, args.out / f"{key}.safetensors", metadata={"source": member, "wheel": digest})
            print(f"{key}: {sum(v.numel() for v in state.values()):,} values from {member}")
            if key == "rec":
                meta = {p.key: p.value for p in model.metadata_props}
                characters = meta["character"].splitlines()
                (args.out / "ppocr_keys.txt").write_text("\n".join(characters) + "\n", encoding="utf-8")
                print(f"dictionary: {len(characters)} characters")
        config = yaml.safe_load(wheel.read(CONFIG_MEMBER))
    settings = pipeline_settings(config)
    settings["source"] = {"package": "rapidocr-onnxruntime==1.4.4", "wheel_sha256": digest}
    (args.out / "pipeline.json").write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
