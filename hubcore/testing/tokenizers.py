"""A small character tokenizer that satisfies the :class:`~hubcore.finetune.Tokenizer` protocol.

Modules bring their own tokenizers; this one exists so that readers, tasks and
their tests can run without a pretrained module.  It splits text into characters
(one id each, ``[UNK]`` for unknown ones) and, with ``special_tokens=True``, frames
them BERT-style as ``[CLS] a [SEP] b [SEP]`` with ``token_type_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable

PAD, UNK, CLS, SEP = "[PAD]", "[UNK]", "[CLS]", "[SEP]"


class CharTokenizer:
    """Characters to ids, truncating to ``max_seq_len`` feature positions."""

    def __init__(self, vocab: dict[str, int], *, special_tokens: bool = False) -> None:
        for token in (PAD, UNK) + ((CLS, SEP) if special_tokens else ()):
            if token not in vocab:
                raise ValueError(f"the vocabulary lacks {token}")
        self.vocab = dict(vocab)
        self.special_tokens = special_tokens
        self.pad_values = {"input_ids": vocab[PAD]}

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, special_tokens: bool = False) -> CharTokenizer:
        """A vocabulary of the special tokens plus every character of ``texts``, in first-seen order."""
        vocab: dict[str, int] = {}
        for token in (PAD, UNK, CLS, SEP):
            vocab[token] = len(vocab)
        for text in texts:
            for char in text:
                vocab.setdefault(char, len(vocab))
        return cls(vocab, special_tokens=special_tokens)

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        """``input_ids`` (and ``token_type_ids`` with special tokens) of a text or pair."""
        a, b = list(text_a), list(text_b) if text_b else []
        if not self.special_tokens:
            ids = self._ids(a + b)[:max_seq_len]
            return {"input_ids": ids}
        if max_seq_len < 2:
            raise ValueError(f"max_seq_len {max_seq_len} leaves no room for [CLS] and [SEP]")
        if max_seq_len < 3:
            b = []  # no room for a second [SEP]
        budget = max_seq_len - (3 if b else 2)
        while len(a) + len(b) > budget:  # trim the longer text first, keeping both
            (a if len(a) >= len(b) else b).pop()
        tokens = [CLS, *a, SEP] + ([*b, SEP] if b else [])
        types = [0] * (len(a) + 2) + [1] * (len(tokens) - len(a) - 2)
        return {"input_ids": self._ids(tokens), "token_type_ids": types}

    def encode_tokens(self, tokens: list[str], *, max_seq_len: int) -> tuple[dict[str, list[int]], list[int]]:
        """Features of pre-split tokens and, per position, the token index (-1 for specials)."""
        if not self.special_tokens:
            kept = tokens[:max_seq_len]
            return {"input_ids": self._ids(kept)}, list(range(len(kept)))
        if max_seq_len < 2:
            raise ValueError(f"max_seq_len {max_seq_len} leaves no room for [CLS] and [SEP]")
        kept = tokens[: max_seq_len - 2]
        ids = self._ids([CLS, *kept, SEP])
        return {"input_ids": ids, "token_type_ids": [0] * len(ids)}, [-1, *range(len(kept)), -1]

    def _ids(self, tokens: list[str]) -> list[int]:
        unk = self.vocab[UNK]
        return [self.vocab.get(token, unk) for token in tokens]
