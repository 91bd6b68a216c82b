"""Build small, randomly initialised ERNIE/BERT checkpoints with a real vocabulary.

No machine here reaches the Hub, so the tests and the benchmark make their own
checkpoints in exactly the layout ``save_pretrained`` gives a real one.
"""

from __future__ import annotations

import json
import os
import shutil
import string
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def vocabulary_for(texts: Iterable[str]) -> list[str]:
    """Special tokens, every non-space character of ``texts`` (lowercased), and ASCII pieces.

    ASCII letters and digits also appear as ``##x`` continuation pieces, so that English
    words and numbers split into characters instead of becoming [UNK].
    """
    seen = {ch for text in texts for ch in text.lower() if not ch.isspace()}
    ascii_chars = set(string.ascii_lowercase + string.digits)
    base = sorted(seen | ascii_chars)
    return [*SPECIAL_TOKENS, *base, *(f"##{ch}" for ch in sorted(ascii_chars))]


def build_tiny_checkpoint(
    directory: str | os.PathLike[str],
    texts: Iterable[str],
    *,
    model_type: str = "ernie",
    layers: int = 2,
    hidden: int = 32,
    heads: int = 2,
    intermediate: int | None = None,
    max_position: int = 128,
    seed: int = 0,
) -> Path:
    """Write config.json, vocab.txt, tokenizer_config.json and model.safetensors to ``directory``.

    The folder appears complete or not at all: it is written beside the target and renamed.
    """
    import torch
    from transformers import BertConfig, BertModel, ErnieConfig, ErnieModel

    target = Path(directory)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    vocab = vocabulary_for(texts)
    options: dict[str, Any] = {
        "vocab_size": len(vocab),
        "hidden_size": hidden,
        "num_hidden_layers": layers,
        "num_attention_heads": heads,
        "intermediate_size": intermediate or 4 * hidden,
        "max_position_embeddings": max_position,
        "type_vocab_size": 2,
        "pad_token_id": 0,
    }
    if model_type == "ernie":
        config: Any = ErnieConfig(**options, use_task_id=True, task_type_vocab_size=3)
        model_class: Any = ErnieModel
    elif model_type == "bert":
        config = BertConfig(**options)
        model_class = BertModel
    else:
        raise ValueError(f"model_type must be 'ernie' or 'bert', got {model_type!r}")
    torch.manual_seed(seed)
    model = model_class(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        vocab_file = staging / "vocab.txt"
        vocab_file.write_text("\n".join(vocab) + "\n", encoding="utf-8")
        # The layout of the public ERNIE repositories: vocab.txt plus a small tokenizer config.
        tokenizer_config = {"do_lower_case": True, "tokenizer_class": "BertTokenizer"}
        (staging / "tokenizer_config.json").write_text(json.dumps(tokenizer_config), encoding="utf-8")
        model.save_pretrained(str(staging), safe_serialization=True)
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target
