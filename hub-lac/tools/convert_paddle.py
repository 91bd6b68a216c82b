"""Convert Baidu LAC 2.1.2's Paddle inference models into hub-lac's shipped data.

Usage: python tools/convert_paddle.py [SOURCE_DIR] [TARGET_DIR]
(defaults: ../shared/lac-2.1.2 and src/hub_lac/data, relative to the hub-lac folder).

The network layout is read from each ``__model__`` program and checked against what the
inference engine implements; parameters are renamed to say what they do, reshaped where
Paddle packs two matrices in one buffer, and written as float32 safetensors, bit for bit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file

sys.path.insert(0, str(Path(__file__).resolve().parent))
from paddle_format import Op, parse_program, read_lod_tensor

HERE = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "lac-2.1.2"
DEFAULT_TARGET = HERE / "src" / "hub_lac" / "data"


def _ops(program: list[Op], kind: str) -> list[Op]:
    return [op for op in program if op.type == kind]


def _convert_tagger(model_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Embedding -> stacked BiGRU -> emission fc -> CRF (the lac and seg networks)."""
    program = parse_program(model_dir / "__model__")
    grus, muls, adds = _ops(program, "gru"), _ops(program, "mul"), _ops(program, "elementwise_add")
    if len(_ops(program, "crf_decoding")) != 1 or len(grus) % 2 or len(muls) != len(grus) + 1:
        raise ValueError(f"{model_dir}: unexpected network layout")
    params = {p.name: read_lod_tensor(p) for p in model_dir.iterdir() if p.name != "__model__"}
    tensors: dict[str, np.ndarray] = {"embedding": params[_ops(program, "lookup_table")[0].inputs["W"][0]]}
    hidden = tensors["embedding"].shape[1]
    for index, (gru, mul, add) in enumerate(zip(grus, muls, adds, strict=False)):
        attrs = gru.attrs
        if (attrs["activation"], attrs["gate_activation"], attrs["origin_mode"]) != (
            "tanh",
            "sigmoid",
            False,
        ):
            raise ValueError(f"{model_dir}: gru {index} has unsupported attributes {attrs}")
        if bool(attrs["is_reverse"]) != bool(index % 2):
            raise ValueError(f"{model_dir}: gru {index} is not in forward/backward order")
        prefix = f"gru{index // 2}.{'bwd' if index % 2 else 'fwd'}"
        weight = params[gru.inputs["Weight"][0]]
        hidden = weight.shape[0]
        flat = weight.reshape(-1)
        # Paddle keeps the update/reset weights (H x 2H) then the candidate weights (H x H)
        # back to back in one buffer, not as column blocks of an H x 3H matrix.
        tensors[f"{prefix}.in_w"] = params[mul.inputs["Y"][0]]
        tensors[f"{prefix}.in_b"] = params[add.inputs["Y"][0]]
        tensors[f"{prefix}.gate_w"] = flat[: 2 * hidden * hidden].reshape(hidden, 2 * hidden).copy()
        tensors[f"{prefix}.cand_w"] = flat[2 * hidden * hidden :].reshape(hidden, hidden).copy()
        tensors[f"{prefix}.bias"] = params[gru.inputs["Bias"][0]].reshape(-1)
    tensors["emission.w"] = params[muls[-1].inputs["Y"][0]]
    tensors["emission.b"] = params[adds[len(muls) - 1].inputs["Y"][0]]
    crf = params[_ops(program, "crf_decoding")[0].inputs["Transition"][0]]
    tensors["crf.start"], tensors["crf.end"], tensors["crf.trans"] = (
        crf[0].copy(),
        crf[1].copy(),
        crf[2:].copy(),
    )
    config = {
        "kind": "bigru_crf",
        "layers": len(grus) // 2,
        "hidden": hidden,
        "emb_dim": int(tensors["embedding"].shape[1]),
        "num_tags": int(crf.shape[1]),
    }
    return tensors, config


def _convert_ranker(model_dir: Path) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """Char + tag embeddings -> BiLSTM with peepholes -> relu fc -> 4-way softmax per char."""
    program = parse_program(model_dir / "__model__")
    lstms, muls, adds = _ops(program, "lstm"), _ops(program, "mul"), _ops(program, "elementwise_add")
    lookups = _ops(program, "lookup_table")
    if len(lstms) != 2 or len(muls) != 4 or [op.type for op in program][-5:-3] != ["softmax", "arg_max"]:
        raise ValueError(f"{model_dir}: unexpected network layout")
    for op in _ops(program, "dropout"):
        if not (op.attrs["is_test"] and op.attrs["dropout_implementation"] == "upscale_in_train"):
            raise ValueError(f"{model_dir}: dropout is not an identity at inference")
    params = {p.name: read_lod_tensor(p) for p in model_dir.iterdir() if p.name != "__model__"}
    tensors: dict[str, np.ndarray] = {
        "char_embedding": params[lookups[0].inputs["W"][0]],
        "tag_embedding": params[lookups[1].inputs["W"][0]],
    }
    for index, (lstm, mul, add) in enumerate(zip(lstms, muls, adds, strict=False)):
        attrs = lstm.attrs
        expected = (True, "sigmoid", "tanh", "tanh", bool(index))
        got = (
            attrs["use_peepholes"],
            attrs["gate_activation"],
            attrs["cell_activation"],
            attrs["candidate_activation"],
            bool(attrs["is_reverse"]),
        )
        if got != expected:
            raise ValueError(f"{model_dir}: lstm {index} has unsupported attributes {attrs}")
        prefix = f"lstm.{'bwd' if index else 'fwd'}"
        hidden = params[lstm.inputs["Weight"][0]].shape[0]
        bias = params[lstm.inputs["Bias"][0]].reshape(-1)
        tensors[f"{prefix}.in_w"] = params[mul.inputs["Y"][0]]
        tensors[f"{prefix}.in_b"] = params[add.inputs["Y"][0]]
        tensors[f"{prefix}.rec_w"] = params[lstm.inputs["Weight"][0]]
        tensors[f"{prefix}.bias"] = bias[: 4 * hidden].copy()
        tensors[f"{prefix}.peephole"] = bias[4 * hidden :].reshape(3, hidden).copy()
    tensors["hidden.w"], tensors["hidden.b"] = params[muls[2].inputs["Y"][0]], params[adds[2].inputs["Y"][0]]
    tensors["out.w"], tensors["out.b"] = params[muls[3].inputs["Y"][0]], params[adds[3].inputs["Y"][0]]
    config = {"kind": "bilstm_rank", "hidden": int(hidden), "num_ranks": int(tensors["out.b"].shape[0])}
    return tensors, config


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def convert(source: Path, target: Path) -> None:
    """Write every shipped file into a fresh folder beside ``target``, then swap it in."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".data-", dir=target.parent))
    try:
        configs: dict[str, object] = {}
        for name, converter in (
            ("lac", _convert_tagger),
            ("seg", _convert_tagger),
            ("rank", _convert_ranker),
        ):
            tensors, config = converter(source / f"{name}_model" / "model")
            save_file(
                {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in tensors.items()},
                str(staging / f"{name}.safetensors"),
                metadata={"source": f"LAC-2.1.2 {name}_model"},
            )
            configs[name] = config
        # lac and rank share their dictionaries; seg has its own character vocabulary.
        for src, dst in (
            ("lac_model/conf/word.dic", "word.dic"),
            ("seg_model/conf/word.dic", "seg_word.dic"),
            ("lac_model/conf/q2b.dic", "q2b.dic"),
            ("lac_model/conf/tag.dic", "tag.dic"),
            ("seg_model/conf/tag.dic", "seg_tag.dic"),
            ("lac_model/conf/small_seg.dic", "small_seg.dic"),
        ):
            shutil.copyfile(source / src, staging / dst)
        for same in ("q2b.dic",):
            for other in ("seg_model", "rank_model"):
                if _sha256(source / "lac_model/conf" / same) != _sha256(source / other / "conf" / same):
                    raise ValueError(f"{other}/conf/{same} differs from lac_model's")
        if _sha256(source / "lac_model/conf/word.dic") != _sha256(source / "rank_model/conf/word.dic"):
            raise ValueError("rank_model's word.dic differs from lac_model's")
        # The licence and provenance travel with the data.
        shutil.copyfile(HERE / "LICENSE-APACHE-2.0", staging / "LICENSE")
        shutil.copyfile(HERE / "NOTICE", staging / "NOTICE")
        files = {p.name: _sha256(p) for p in sorted(staging.iterdir())}
        manifest = {
            "source": "LAC-2.1.2.tar.gz",
            "source_sha256": "22fcde0d5082d2044205ea6f6a7a9cd1f0d63e7b21b2dd5c9c73f27e7c0a3ef1",
            "license": "Apache-2.0",
            "models": configs,
            "files": files,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
        for path in staging.iterdir():
            path.chmod(0o644)
            with open(path, "rb") as handle:
                os.fsync(handle.fileno())
        staging.chmod(0o755)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=target.parent))
            os.rename(target, old / "data")
        os.rename(staging, target)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


if __name__ == "__main__":
    args = sys.argv[1:]
    convert(Path(args[0]) if args else DEFAULT_SOURCE, Path(args[1]) if len(args) > 1 else DEFAULT_TARGET)
