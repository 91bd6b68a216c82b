"""textgenrnn's character vocabulary and its two ways of turning text into network inputs.

The original treats characters outside its 465-entry vocabulary differently in the two places it
reads text, and we keep both, because parity with it is the point:

* generating (``textgenrnn_encode_sequence``): an unknown character of the prefix becomes index 0,
  the same index as the left padding, and stays in the returned text;
* training (``generate_sequences_from_texts``, Keras' ``Tokenizer.texts_to_sequences``): unknown
  characters are dropped from the context, and a position whose target is unknown is skipped.

Index 0 is padding; ``<s>`` (the meta token) opens every text and ends a generated one.  Nothing
here imports torch, so the CLI and the plugin stay light.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import ClassVar

META_TOKEN = "<s>"
WINDOW = 40  # textgenrnn's max_length: the network sees the last 40 tokens, left-padded with 0
PAD_ID = 0


@dataclass(frozen=True)
class ScoredPosition:
    """One next-character prediction inside a text: the 40-token window and the id it must predict."""

    window: tuple[int, ...]
    target: int


class CharVocab:
    """Character -> id (1..464, ``<s>`` included) as in ``textgenrnn_vocab.json``; 0 is padding."""

    def __init__(self, char_to_id: dict[str, int]) -> None:
        ids = sorted(char_to_id.values())
        if ids != list(range(1, len(ids) + 1)) or META_TOKEN not in char_to_id:
            raise ValueError("a textgenrnn vocabulary maps its tokens, <s> included, to 1..N")
        self.char_to_id = dict(char_to_id)
        self.id_to_char = [""] * (len(ids) + 1)
        for char, index in char_to_id.items():
            self.id_to_char[index] = char
        self.meta_id = char_to_id[META_TOKEN]

    @classmethod
    def from_file(cls, path: str | Path) -> CharVocab:
        return cls(json.loads(Path(path).read_text(encoding="utf-8")))

    @classmethod
    def packaged(cls) -> CharVocab:
        """The vocabulary shipped with hub-textgen (textgenrnn 2.0.0's, unchanged)."""
        source = resources.files("hub_textgen") / "data" / "textgenrnn_vocab.json"
        return cls(json.loads(source.read_text(encoding="utf-8")))

    @property
    def size(self) -> int:
        """Number of output classes: the tokens plus padding (465 for textgenrnn's)."""
        return len(self.id_to_char)

    def __contains__(self, char: object) -> bool:
        return isinstance(char, str) and char in self.char_to_id

    def unknown_characters(self, text: str) -> list[str]:
        """Characters of ``text`` the vocabulary lacks, each once, in order of appearance."""
        return list(dict.fromkeys(c for c in text if c not in self.char_to_id))

    # -- generation: unknown -> 0 ------------------------------------------------------------

    def generation_window(self, tokens: Sequence[str]) -> list[int]:
        """The last 40 tokens as ids (unknown -> 0), left-padded with 0: the original's prediction input."""
        ids = [self.char_to_id.get(token, PAD_ID) for token in tokens[-WINDOW:]]
        return [PAD_ID] * (WINDOW - len(ids)) + ids

    # -- training and perplexity: unknown dropped / skipped -----------------------------------

    def scored_positions(self, text: str) -> Iterator[ScoredPosition]:
        """Every (context, next token) pair the original trains on for ``text``.

        The token list is ``<s> + characters + <s>``; each in-vocabulary token after the first is a
        target, predicted from the in-vocabulary tokens of the 40 before it (its window; the original
        cuts 41 tokens, drops unknown ones, then keeps the last 40).
        """
        tokens = [META_TOKEN, *text, META_TOKEN]
        for end in range(len(tokens) - 1):
            target = self.char_to_id.get(tokens[end + 1])
            if target is None:
                continue
            context = tokens[max(0, end - WINDOW) : end + 1]
            ids = [self.char_to_id[t] for t in context if t in self.char_to_id][-WINDOW:]
            yield ScoredPosition(tuple([PAD_ID] * (WINDOW - len(ids)) + ids), target)


class CharTokenizer:
    """The Fine-tune API's tokenizer for this model: a text is the window that predicts what follows it.

    ``encode(text)`` gives the 40 ids the network reads after ``<s> + text`` (prediction semantics:
    unknown characters -> 0).  Training examples come from :meth:`CharVocab.scored_positions`
    instead, through the language-model reader.
    """

    pad_values: ClassVar[dict[str, int]] = {"input_ids": PAD_ID}

    def __init__(self, vocab: CharVocab) -> None:
        self.vocab = vocab

    def encode(
        self, text_a: str, text_b: str | None = None, *, max_seq_len: int = WINDOW
    ) -> dict[str, list[int]]:
        text = text_a if text_b is None else text_a + text_b
        return {"input_ids": self.vocab.generation_window([META_TOKEN, *text])}

    def encode_tokens(
        self, tokens: list[str], *, max_seq_len: int = WINDOW
    ) -> tuple[dict[str, list[int]], list[int]]:
        window = self.vocab.generation_window([META_TOKEN, *tokens])
        kept = min(len(tokens), WINDOW)
        first = len(tokens) - kept
        positions = [-1] * (WINDOW - kept) + list(range(first, len(tokens)))
        return {"input_ids": window}, positions
