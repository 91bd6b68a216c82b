"""The hubcore modules: one class for every ERNIE/BERT checkpoint, and a factory per name."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hub_ernie._catalog import find_checkpoint
from hub_ernie._checkpoint import resolve
from hub_ernie._encoder import TextEncoder, load_encoder
from hub_ernie._pooling import read_pooling
from hub_ernie._tokenizer import TextInputError, TruncationWarning, WordpieceTokenizer, check_text
from hubcore.devices import resolve_device
from hubcore.finetune import POOLED_OUTPUT, SEQUENCE_OUTPUT, ModuleContext

TextItem = str | Sequence[str]


class TextEncoderModule:
    """A pretrained ERNIE/BERT-family encoder: embeddings now, fine-tuning through ``context``.

    ``directory`` names a local checkpoint folder (config.json, vocab.txt and weights,
    as ``save_pretrained`` writes them); without it the weights come from the module's
    Hugging Face repository, or from the pip package that ships them.
    """

    def __init__(
        self, name: str = "ernie", directory: str | os.PathLike[str] | None = None, device: str = "cpu"
    ) -> None:
        try:
            checkpoint = find_checkpoint(name)
        except KeyError as exc:
            raise TextInputError(str(exc.args[0])) from None
        found = resolve(checkpoint, directory)
        self.name = checkpoint.name
        # How load_task rebuilds this module in a new process (see ModuleContext.extra["module"]).
        self._rebuild_kwargs = {} if directory is None else {"directory": str(Path(directory).resolve())}
        self.directory: Path = found.path
        self.max_position = int(found.config.get("max_position_embeddings", 512))  # type: ignore[call-overload]
        self.tokenizer = WordpieceTokenizer.from_directory(found.path)
        self.encoder: TextEncoder = load_encoder(found, read_pooling(found.path)).to(device).eval()
        self.device = torch.device(device)

    @property
    def hidden_size(self) -> int:
        return self.encoder.hidden_size

    def get_vocab_path(self) -> str:
        """The checkpoint's vocabulary file, as PaddleHub's modules offered it."""
        return str(self.directory / "vocab.txt")

    def context(self, trainable: bool = True, max_seq_len: int = 128) -> ModuleContext:
        """The encoder, tokenizer and layer depths for the Fine-tune API.

        The encoder is this module's own: fine-tuning it changes what ``get_embedding`` returns.
        """
        self._check_max_seq_len(max_seq_len)
        for parameter in self.encoder.parameters():
            parameter.requires_grad_(trainable)
        return ModuleContext(
            encoder=self.encoder,
            tokenizer=self.tokenizer,
            sentence_dim=self.hidden_size,
            token_dim=self.hidden_size,
            max_seq_len=max_seq_len,
            params_layer=self.encoder.params_layer(),
            extra={
                "module": {
                    "name": self.name,
                    "kwargs": dict(self._rebuild_kwargs),
                    "context_kwargs": {"trainable": trainable, "max_seq_len": max_seq_len},
                },
                "directory": str(self.directory),
            },
        )

    def get_embedding(
        self,
        texts: Sequence[TextItem],
        max_seq_len: int = 128,
        batch_size: int = 32,
        use_gpu: bool | None = None,
    ) -> list[list[np.ndarray]]:
        """``[sentence_embedding, token_embeddings]`` for each text or ``[text_a, text_b]`` pair.

        Token embeddings cover the real positions only ([CLS], pieces, [SEP]), not padding.
        Texts are run shortest first so that a batch pads little; results keep input order.
        ``use_gpu`` (PaddleHub's): True moves the model to CUDA (an error before any work
        when there is none), False to the CPU; None keeps the constructor's ``device``.
        """
        if use_gpu is not None:
            self._use_device(resolve_device(use_gpu, owner=f"{self.name}.get_embedding"))
        self._check_max_seq_len(max_seq_len)
        if not isinstance(batch_size, int) or batch_size < 1:
            raise TextInputError(f"batch_size must be a positive int, got {batch_size!r}")
        pairs = _as_pairs(texts)
        features, cut = self._encode_all(pairs, max_seq_len)
        if cut:
            warnings.warn(
                f"{len(cut)} of {len(pairs)} texts had more than max_seq_len={max_seq_len} tokens and "
                f"were truncated (texts[{cut[0]}] first)",
                TruncationWarning,
                stacklevel=2,
            )
        order = sorted(range(len(features)), key=lambda i: len(features[i]["input_ids"]))
        results: list[list[np.ndarray]] = [[] for _ in features]
        was_training = self.encoder.training
        self.encoder.eval()
        try:
            with torch.inference_mode():
                for start in range(0, len(order), batch_size):
                    chosen = order[start : start + batch_size]
                    batch = self._pad([features[i] for i in chosen])
                    out = self.encoder(**batch)
                    sentences = out[POOLED_OUTPUT].float().cpu().numpy()
                    tokens = out[SEQUENCE_OUTPUT].float().cpu().numpy()
                    for row, index in enumerate(chosen):
                        length = len(features[index]["input_ids"])
                        results[index] = [sentences[row], tokens[row, :length]]
        finally:
            self.encoder.train(was_training)
        return results

    def _use_device(self, device: str) -> None:
        if self.device.type != device:
            self.encoder.to(device)
            self.device = torch.device(device)

    def _encode_all(
        self, pairs: list[tuple[str, str | None]], max_seq_len: int
    ) -> tuple[list[dict[str, list[int]]], list[int]]:
        flat = [text for pair in pairs for text in pair if text is not None]
        pieces = iter(self.tokenizer.word_pieces(flat))
        features, cut = [], []
        for index, (_, text_b) in enumerate(pairs):
            a = next(pieces)
            b = next(pieces) if text_b is not None else None
            if not a or (b is not None and not b):
                raise TextInputError(f"texts[{index}] has no tokens the vocabulary knows how to split")
            encoded, length = self.tokenizer.assemble(a, b, max_seq_len)
            if length > max_seq_len:
                cut.append(index)
            features.append(encoded)
        return features, cut

    def _pad(self, rows: list[dict[str, list[int]]]) -> dict[str, torch.Tensor]:
        width = max(len(row["input_ids"]) for row in rows)
        ids = torch.full((len(rows), width), self.tokenizer.pad_id, dtype=torch.long)
        types = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            n = len(row["input_ids"])
            ids[i, :n] = torch.tensor(row["input_ids"])
            types[i, :n] = torch.tensor(row["token_type_ids"])
            mask[i, :n] = 1
        return {
            "input_ids": ids.to(self.device),
            "attention_mask": mask.to(self.device),
            "token_type_ids": types.to(self.device),
        }

    def _check_max_seq_len(self, max_seq_len: int) -> None:
        if not isinstance(max_seq_len, int) or not 3 <= max_seq_len <= self.max_position:
            raise TextInputError(
                f"max_seq_len must be an int between 3 and {self.max_position} "
                f"(the checkpoint's max_position_embeddings), got {max_seq_len!r}"
            )


def _as_pairs(texts: Sequence[TextItem]) -> list[tuple[str, str | None]]:
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TextInputError(
            f"texts must be a list of texts or of [text_a, text_b] pairs, got {type(texts).__name__}"
        )
    pairs: list[tuple[str, str | None]] = []
    for index, item in enumerate(texts):
        if isinstance(item, str):
            parts: tuple[str, ...] = (item,)
        elif isinstance(item, (list, tuple)) and len(item) in (1, 2):
            parts = tuple(item)
        else:
            what = f"{len(item)} parts" if isinstance(item, (list, tuple)) else type(item).__name__
            raise TextInputError(f"texts[{index}] must be a text or a [text_a, text_b] pair, got {what}")
        for part, text in enumerate(parts):
            check_text(text, f"texts[{index}]" if len(parts) == 1 else f"texts[{index}][{part}]")
        pairs.append((parts[0], parts[1] if len(parts) == 2 else None))
    return pairs


def _factory(name: str) -> Any:
    def build(directory: str | os.PathLike[str] | None = None, device: str = "cpu") -> TextEncoderModule:
        return TextEncoderModule(name, directory=directory, device=device)

    build.__name__ = name.replace("-", "_").replace(".", "_")
    build.__doc__ = f"The {name!r} module (see TextEncoderModule)."
    return build


# The entries the plugin's ModuleSpecs name (hub_ernie.plugin.attribute_name of each module).
ernie = _factory("ernie")
ernie_3_0_base_zh = _factory("ernie-3.0-base-zh")
ernie_3_0_medium_zh = _factory("ernie-3.0-medium-zh")
ernie_3_0_mini_zh = _factory("ernie-3.0-mini-zh")
ernie_3_0_micro_zh = _factory("ernie-3.0-micro-zh")
ernie_3_0_nano_zh = _factory("ernie-3.0-nano-zh")
bert_base_chinese = _factory("bert-base-chinese")
all_minilm_l6_v2 = _factory("all-minilm-l6-v2")
