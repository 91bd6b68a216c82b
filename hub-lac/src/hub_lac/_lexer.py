"""Text in, words/tags/ranks out: the full LAC pipeline around the networks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hub_lac import _network
from hub_lac._segment import segmenter
from hub_lac._userdict import UserDict
from hub_lac._vocab import tag_names, vocab

MODES = ("lac", "seg", "rank")


@dataclass
class Analysis:
    words: list[str]
    tags: list[str]
    ranks: list[int] | None = None


def _tokens(text: str) -> tuple[list[int], list[int]]:
    """Word-and-character ids for the lac/rank networks, with each token's length in characters."""
    voc = vocab("word.dic")
    ids: list[int] = []
    spans: list[int] = []
    for piece in segmenter().cut(text):
        if len(piece) == 1 or piece in voc.ids:
            ids.append(voc.token_id(piece))
            spans.append(len(piece))
        else:
            ids.extend(voc.token_id(ch) for ch in piece)
            spans.extend([1] * len(piece))
    return ids, spans


def _expand(labels: list[str], spans: list[int]) -> list[str]:
    """One label per character: a word token's label, then inside-labels for its other characters."""
    if all(span == 1 for span in spans):
        return labels
    out: list[str] = []
    for label, span in zip(labels, spans, strict=True):
        out.append(label)
        if span > 1:
            out.extend([label[:-2] + "-I"] * (span - 1))
    return out


def _starts(labels: list[str]) -> list[bool]:
    return [i == 0 or label.endswith(("B", "S")) for i, label in enumerate(labels)]


def _words(text: str, labels: list[str]) -> tuple[list[str], list[str]]:
    """Words start at B/S labels; a word's tag is its last character's label."""
    words: list[str] = []
    tags: list[str] = []
    start = 0
    starts = _starts(labels)
    for i in range(1, len(labels) + 1):
        if i == len(labels) or starts[i]:
            words.append(text[start:i])
            tags.append(labels[i - 1][:-2])
            start = i
    return words, tags


class Lexer:
    """One mode of LAC with an optional user dictionary."""

    def __init__(self, mode: str, user_dict: UserDict | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.user_dict = user_dict
        if mode == "seg":
            self._tagger = _network.tagger("seg")
            self._labels = tag_names("seg_tag.dic")
        else:
            self._tagger = _network.tagger("lac")
            self._labels = tag_names("tag.dic")
            segmenter()
        self._ranker = _network.ranker() if mode == "rank" else None

    def analyse(self, texts: list[str], device: str = "cpu") -> list[Analysis]:
        """Results for a batch of texts; blank texts give empty results.

        ``device`` other than ``"cpu"`` runs the tagger's network there through torch
        (the rank model, small, stays on the CPU engine).
        """
        results = [Analysis([], [], [] if self.mode == "rank" else None) for _ in texts]
        live = [i for i, text in enumerate(texts) if text.strip()]
        if live:
            for i, analysis in zip(live, self._run([texts[i] for i in live], device), strict=True):
                results[i] = analysis
        return results

    def _tagger_on(self, device: str) -> Any:
        if device == "cpu":
            return self._tagger
        from hub_lac._torch_tagger import torch_tagger

        return torch_tagger("seg" if self.mode == "seg" else "lac", device)

    def _run(self, texts: list[str], device: str = "cpu") -> list[Analysis]:
        if self.mode == "seg":
            voc = vocab("seg_word.dic")
            token_ids = [[voc.token_id(ch) for ch in text] for text in texts]
            spans = [[1] * len(text) for text in texts]
        else:
            encoded = [_tokens(text) for text in texts]
            token_ids = [ids for ids, _ in encoded]
            spans = [s for _, s in encoded]
        paths = self._tagger_on(device).tag(token_ids)
        names = self._labels
        out: list[Analysis] = []
        char_labels: list[list[str]] = []
        for row, text in enumerate(texts):
            labels = _expand([names[k] for k in paths[row].tolist()], spans[row])
            if self.user_dict is not None:
                labels = list(labels)
                self.user_dict.apply(text, labels)
            char_labels.append(labels)
            words, tags = _words(text, labels)
            out.append(Analysis(words, tags))
        if self._ranker is not None:
            ranks = self._ranker.rank(token_ids, [p.tolist() for p in paths])
            for row, analysis in enumerate(out):
                analysis.ranks = _word_ranks(ranks[row].tolist(), spans[row], char_labels[row])
        return out


def _word_ranks(token_ranks: list[int], spans: list[int], labels: list[str]) -> list[int]:
    """A word's rank is the highest rank among its characters (a token's rank covers its characters)."""
    per_char: list[int] = []
    for rank, span in zip(token_ranks, spans, strict=True):
        per_char.extend([rank] * span)
    out: list[int] = []
    for rank, start in zip(per_char, _starts(labels), strict=True):
        if start:
            out.append(rank)
        elif rank > out[-1]:
            out[-1] = rank
    return out
