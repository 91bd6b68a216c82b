"""LAC's dictionary pre-segmentation, which picks the word-level inputs of the lac model.

The lac and rank networks read a mix of words and characters: the text is first cut by
a maximum-probability path through a word graph built from ``small_seg.dic``, and the
pieces found in ``word.dic`` enter the network as one token.  Reproducing the cut
exactly is what makes the outputs identical to Baidu's, so the scoring below keeps the
original's choices: a word's weight is the log of its *length* (not its count) minus
the log of the total count, later ends win ties, and runs of single ASCII letters or
digits are glued back together.
"""

from __future__ import annotations

import math
from functools import cache

from hub_lac._vocab import DATA


class Segmenter:
    def __init__(self, words: dict[str, int], log_total: float) -> None:
        self._words = words
        self._log_total = log_total
        self._weights = {length: math.log(length) - log_total for length in range(1, 64)}
        # The longest word starting with each character bounds the look-ahead; past a piece
        # that no word extends nothing can match, which is all a prefix table would tell.
        longest: dict[str, int] = {}
        for word in words:
            if len(word) > longest.get(word[0], 0):
                longest[word[0]] = len(word)
        self._longest = longest

    def cut(self, text: str) -> list[str]:
        n = len(text)
        words, longest = self._words, self._longest
        ends: list[list[int]] = []
        for head in range(n):
            found = [head]
            for stop in range(head + 2, min(n, head + longest.get(text[head], 1)) + 1):
                if text[head:stop] in words:
                    found.append(stop - 1)
            ends.append(found)
        best_score = [0.0] * (n + 1)
        best_end = [0] * (n + 1)
        weights, log_total = self._weights, self._log_total
        for head in range(n - 1, -1, -1):
            top_score, top_end = -math.inf, -1
            for end in ends[head]:
                length = end + 1 - head
                weight = weights[length] if length in weights else math.log(length) - log_total
                score = weight + best_score[end + 1]
                if score > top_score or (score == top_score and end > top_end):
                    top_score, top_end = score, end
            best_score[head], best_end[head] = top_score, top_end
        pieces: list[str] = []
        ascii_run = ""
        head = 0
        while head < n:
            stop = best_end[head] + 1
            piece = text[head:stop]
            if stop - head == 1 and piece.isascii() and piece.isalnum():
                ascii_run += piece
            else:
                if ascii_run:
                    pieces.append(ascii_run)
                    ascii_run = ""
                pieces.append(piece)
            head = stop
        if ascii_run:
            pieces.append(ascii_run)
        return pieces


@cache
def segmenter() -> Segmenter:
    words: dict[str, int] = {}
    total = 0
    for line in (DATA / "small_seg.dic").read_text(encoding="utf-8").splitlines():
        word, count = line.strip().split(" ")
        words[word] = len(word)
        total += int(count)
    return Segmenter(words, math.log(total))
