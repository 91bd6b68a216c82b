"""generate() and perplexity(): their contracts, and a clear error for every bad argument or text."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np
import pytest
from hub_textgen.inputs import TextgenInputError
from hub_textgen.vocab import WINDOW, CharTokenizer


def test_texts_start_with_the_prefix_and_respect_max_length(lm: Any) -> None:
    texts = lm.generate("My cat", n=4, temperature=1.0, max_length=30, seed=11)
    assert len(texts) == 4
    for text in texts:
        assert text.startswith("My cat")
        assert len(text) <= 30


def test_a_seed_makes_text_i_the_text_of_seed_plus_i(lm: Any) -> None:
    batch = lm.generate("The", n=3, temperature=0.7, max_length=60, seed=20)
    assert batch == lm.generate("The", n=3, temperature=0.7, max_length=60, seed=20)
    assert batch[2] == lm.generate("The", n=1, temperature=0.7, max_length=60, seed=22)[0]
    assert len(set(batch)) > 1


def test_unknown_prefix_characters_are_kept_and_read_as_padding(lm: Any) -> None:
    (text,) = lm.generate("中文 title", temperature=0.0, max_length=40)
    assert text.startswith("中文 title")
    # Index 0 for each unknown character: the same window as a prefix whose unknowns are padding.
    tokenizer = CharTokenizer(lm.vocab)
    window = tokenizer.encode("中文 title")["input_ids"]
    assert window[-len(" title") - 2 : -len(" title")] == [0, 0]


def test_a_prefix_longer_than_max_length_comes_back_unchanged(lm: Any) -> None:
    assert lm.generate("abcdef", max_length=3) == ["abcdef"]


def test_temperature_list_cycles_and_zero_is_greedy(lm: Any) -> None:
    greedy = lm.generate("I", temperature=0, max_length=50)
    assert greedy == lm.generate("I", temperature=[0.0, 0.0], max_length=50, seed=3)
    assert greedy == lm.generate("I", n=2, temperature=0.0, max_length=50)[:1]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"prefix": 42}, "prefix must be a string, got int"),
        ({"prefix": b"bytes"}, "prefix must be a string, got bytes"),
        ({"n": 0}, "n must be an integer"),
        ({"n": 2.5}, "n must be an integer"),
        ({"temperature": -0.1}, "temperature must be a finite number >= 0"),
        ({"temperature": float("nan")}, "temperature must be a finite number >= 0"),
        ({"temperature": "hot"}, "temperature must be a finite number >= 0 (0 means greedy), got str"),
        ({"temperature": True}, "temperature must be a finite number >= 0 (0 means greedy), got bool"),
        ({"temperature": []}, "temperature list is empty"),
        ({"temperature": [0.5, -1]}, "temperature[1] must be a finite number"),
        ({"max_length": 0}, "max_length must be an integer"),
        ({"seed": -1}, "seed must be None or an integer"),
        ({"seed": "7"}, "seed must be None or an integer"),
    ],
)
def test_bad_generate_arguments_are_named(lm: Any, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(TextgenInputError, match=re.escape(message)):
        lm.generate(**kwargs)


def test_perplexity_judges_each_text_and_scores_the_rest(lm: Any) -> None:
    texts = ["Hello there, general", None, "", "中文", 3.5, "I love 🍕", ["list"]]
    results = lm.perplexity(texts)
    assert [("error" in r) for r in results] == [False, True, True, True, True, False, True]
    assert results[1]["error"] == "texts[1] is NoneType, not a string"
    assert results[2]["error"] == "texts[2] is empty: there is nothing to score"
    assert results[3]["error"].startswith("texts[3] has no character in the model's vocabulary")
    assert results[4]["error"] == "texts[4] is float, not a string"
    assert results[5]["unknown_characters"] == ["🍕"]
    # The emoji is left out, as textgenrnn's training leaves it out: 7 known characters + the end token.
    assert results[5]["scored_tokens"] == len("I love ") + 1
    alone = lm.perplexity(["Hello there, general"])[0]["perplexity"]
    assert results[0]["perplexity"] == pytest.approx(alone, rel=1e-6)


def test_perplexity_is_exp_of_the_mean_next_character_loss(lm: Any) -> None:
    text = "Why is it"
    probabilities = lm.next_char_probabilities(["Why is it"[:i] for i in range(len(text) + 1)])
    ids = [lm.vocab.char_to_id[c] for c in text] + [lm.vocab.meta_id]
    nll = -np.mean([math.log(probabilities[i, target]) for i, target in enumerate(ids)])
    assert lm.perplexity([text])[0]["perplexity"] == pytest.approx(math.exp(nll), rel=1e-5)


def test_perplexity_does_not_depend_on_batch_size(lm: Any) -> None:
    texts = ["The quick brown fox jumps over the lazy dog, twice over and again", "TIL", "a b c"]
    small = lm.perplexity(texts, batch_size=1)
    large = lm.perplexity(texts, batch_size=4096)
    for a, b in zip(small, large, strict=True):
        assert a["perplexity"] == pytest.approx(b["perplexity"], rel=1e-5)


@pytest.mark.parametrize(
    ("texts", "message"),
    [("one text", "texts must be a list of strings; for one text pass"), (7, "texts must be a list")],
)
def test_perplexity_wants_a_list(lm: Any, texts: Any, message: str) -> None:
    with pytest.raises(TextgenInputError, match=message):
        lm.perplexity(texts)


def test_tokenizer_positions_follow_the_window() -> None:
    from hub_textgen.vocab import CharVocab

    tokenizer = CharTokenizer(CharVocab.packaged())
    features, positions = tokenizer.encode_tokens(list("abc"), max_seq_len=WINDOW)
    assert len(features["input_ids"]) == WINDOW and positions[-3:] == [0, 1, 2] and positions[-4] == -1
    features, positions = tokenizer.encode_tokens(list("x" * 50), max_seq_len=WINDOW)
    assert positions == list(range(10, 50))
