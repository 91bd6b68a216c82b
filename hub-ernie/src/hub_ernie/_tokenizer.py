"""The Fine-tune API's Tokenizer contract over a checkpoint's BERT word-piece vocabulary.

transformers' tokenizer only splits text into word pieces (in Rust, a batch at a
time); adding [CLS]/[SEP], segment ids and truncation is done here, so that we know
exactly when a text was cut and can say so.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from hubcore import HubcoreError


class TextInputError(HubcoreError, ValueError):
    """A text given to a module is empty, of the wrong type, or a pair of the wrong arity."""


class TruncationWarning(UserWarning):
    """A text had more word pieces than ``max_seq_len`` allows, and its tail was dropped."""


class WordpieceTokenizer:
    """Text to ``input_ids`` and ``token_type_ids`` laid out as ``[CLS] a [SEP] (b [SEP])``."""

    def __init__(self, pieces: Any) -> None:
        self._pieces = pieces
        self.cls_id = int(pieces.cls_token_id)
        self.sep_id = int(pieces.sep_token_id)
        self.pad_id = int(pieces.pad_token_id)
        self.unk_id = int(pieces.unk_token_id)
        self.pad_values: dict[str, int] = {"input_ids": self.pad_id, "token_type_ids": 0}
        self.truncated = 0  # texts cut by encode()/encode_tokens() since this tokenizer was made

    @classmethod
    def from_directory(cls, path: Path) -> WordpieceTokenizer:
        """The tokenizer of a checkpoint folder (vocab.txt or tokenizer.json)."""
        from transformers import BertTokenizer

        return cls(BertTokenizer.from_pretrained(str(path), local_files_only=True))

    @property
    def vocab_size(self) -> int:
        return len(self._pieces)

    def word_pieces(self, texts: list[str]) -> list[list[int]]:
        """The word-piece ids of each text, without special tokens."""
        if not texts:
            return []
        encoded = self._pieces(
            texts, add_special_tokens=False, return_attention_mask=False, return_token_type_ids=False
        )
        return [list(ids) for ids in encoded["input_ids"]]

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        """Features of one text or pair; a text that is too long is truncated with a warning."""
        check_text(text_a, "text_a")
        if text_b is not None:
            check_text(text_b, "text_b")
        texts = [text_a] if text_b is None else [text_a, text_b]
        pieces = self.word_pieces(texts)
        for name, ids in zip(("text_a", "text_b"), pieces, strict=False):
            if not ids:
                raise TextInputError(f"{name} {_preview(texts[0 if name == 'text_a' else 1])} has no tokens")
        features, length = self.assemble(pieces[0], pieces[1] if text_b is not None else None, max_seq_len)
        if length > max_seq_len:
            self._warn_truncated(length, max_seq_len)
        return features

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        """Features of pre-split tokens and, per position, the token index it came from (-1: special).

        A token the vocabulary cannot split (a space, say) becomes [UNK], so every token
        keeps a position; tokens that do not fit whole are dropped from the tail.
        """
        if not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) for t in tokens):
            raise TextInputError("tokens must be a list of strings")
        if not tokens:
            raise TextInputError("tokens is empty")
        _check_max_seq_len(max_seq_len, pair=False)
        budget = max_seq_len - 2
        ids: list[int] = [self.cls_id]
        positions: list[int] = [-1]
        total = 0
        for index, pieces in enumerate(self.word_pieces(list(tokens))):
            pieces = pieces or [self.unk_id]
            total += len(pieces)
            if total <= budget:
                ids.extend(pieces)
                positions.extend([index] * len(pieces))
        ids.append(self.sep_id)
        positions.append(-1)
        if total > budget:
            self._warn_truncated(total + 2, max_seq_len)
        return {"input_ids": ids, "token_type_ids": [0] * len(ids)}, positions

    def assemble(
        self, a: list[int], b: list[int] | None, max_seq_len: int
    ) -> tuple[dict[str, list[int]], int]:
        """Add the special tokens, cutting the longer text first; also returns the uncut length."""
        _check_max_seq_len(max_seq_len, pair=b is not None)
        specials = 2 if b is None else 3
        length = len(a) + (len(b) if b is not None else 0) + specials
        if b is None:
            a = a[: max_seq_len - specials]
            input_ids = [self.cls_id, *a, self.sep_id]
            return {"input_ids": input_ids, "token_type_ids": [0] * len(input_ids)}, length
        keep_a, keep_b = len(a), len(b)
        while keep_a + keep_b > max_seq_len - specials:
            if keep_a >= keep_b:
                keep_a -= 1
            else:
                keep_b -= 1
        input_ids = [self.cls_id, *a[:keep_a], self.sep_id, *b[:keep_b], self.sep_id]
        token_type_ids = [0] * (keep_a + 2) + [1] * (keep_b + 1)
        return {"input_ids": input_ids, "token_type_ids": token_type_ids}, length

    def _warn_truncated(self, length: int, max_seq_len: int) -> None:
        # Warn once per tokenizer so a long data set does not flood the log; count the rest.
        if self.truncated == 0:
            warnings.warn(
                f"a text of {length} tokens was truncated to max_seq_len={max_seq_len}; later "
                "truncations are counted in tokenizer.truncated",
                TruncationWarning,
                stacklevel=3,
            )
        self.truncated += 1


def check_text(text: object, where: str) -> None:
    """Reject what is not a non-blank string, naming where it came from."""
    if not isinstance(text, str):
        raise TextInputError(f"{where} is {type(text).__name__}, not str")
    if not text.strip():
        raise TextInputError(f"{where} is empty")


def _check_max_seq_len(max_seq_len: int, *, pair: bool) -> None:
    least = 5 if pair else 3
    if not isinstance(max_seq_len, int) or max_seq_len < least:
        raise TextInputError(f"max_seq_len must be an int of at least {least}, got {max_seq_len!r}")


def _preview(text: str) -> str:
    return repr(text if len(text) <= 20 else text[:20] + "...")
