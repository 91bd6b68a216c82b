"""The CMRC2018 reading-comprehension metric: exact match and F1 over mixed segments.

Written from the metric's definition (the CMRC2018 evaluation's rules): text is
lower-cased and stripped; punctuation (Chinese and ASCII) and whitespace are removed;
a Chinese character is a segment of its own and a run of other characters (an English
word, a number) is one segment.  F1 of a prediction against one reference comes from
their longest common run of segments (precision over the prediction's segments,
recall over the reference's); a question scores the best over its references, and a
data set the mean over its questions.  EM asks the punctuation-free texts to be
equal.  Scores are fractions in [0, 1] (the official script prints them times 100).
"""

from __future__ import annotations

import string
import unicodedata
from collections.abc import Iterable, Sequence

# ASCII punctuation plus the Chinese punctuation the CMRC2018 evaluation lists.
PUNCTUATION = frozenset(
    string.punctuation + "，。：？！；、“”‘’（）《》〈〉【】『』「」﹃﹄〔〕…—～﹏￥·．－"
)


def _is_chinese(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fa5"


def _is_space(char: str) -> bool:
    return char.isspace() or unicodedata.category(char) == "Zs"


def segments(text: str) -> list[str]:
    """The text's segments: one per Chinese character, one per run of other characters."""
    out: list[str] = []
    run = ""
    for char in text.lower().strip():
        if char in PUNCTUATION or _is_space(char) or _is_chinese(char):
            if run:
                out.append(run)
                run = ""
            if _is_chinese(char):
                out.append(char)
        else:
            run += char
    if run:
        out.append(run)
    return out


def normalise(text: str) -> str:
    """Lower-cased, without punctuation or whitespace: what EM compares."""
    return "".join(c for c in text.lower().strip() if c not in PUNCTUATION and not _is_space(c))


def _longest_common_run(a: Sequence[str], b: Sequence[str]) -> int:
    best = 0
    previous = [0] * (len(b) + 1)
    for x in a:
        current = [0] * (len(b) + 1)
        for j, y in enumerate(b, start=1):
            if x == y:
                current[j] = previous[j - 1] + 1
                best = max(best, current[j])
        previous = current
    return best


def f1_score(prediction: str, references: Iterable[str]) -> float:
    """The best F1 of ``prediction`` against any reference (0 when none overlaps)."""
    predicted = segments(prediction)
    best = 0.0
    for reference in references:
        gold = segments(reference)
        common = _longest_common_run(gold, predicted)
        if common:
            precision, recall = common / len(predicted), common / len(gold)
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


def exact_match(prediction: str, references: Iterable[str]) -> float:
    """1.0 when the normalised prediction equals a normalised reference, else 0.0."""
    predicted = normalise(prediction)
    return float(any(normalise(reference) == predicted for reference in references))


def em_f1(pairs: Sequence[tuple[str, Sequence[str]]]) -> dict[str, float]:
    """Mean EM and F1 over ``(prediction, references)`` pairs, one per question."""
    if not pairs:
        return {"em": 0.0, "f1": 0.0}
    em = sum(exact_match(p, refs) for p, refs in pairs) / len(pairs)
    f1 = sum(f1_score(p, refs) for p, refs in pairs) / len(pairs)
    return {"em": em, "f1": f1}
