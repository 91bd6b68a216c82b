"""The C kernel and the pure-NumPy engine compute the same thing."""

from __future__ import annotations

import numpy as np
import pytest
from hub_lac import _kernels, _network
from hub_lac._lexer import _tokens

needs_c = pytest.mark.skipif(_kernels.BACKEND != "c", reason="the C kernel was not built here")


@pytest.fixture(scope="module")
def sequences(golden: list[dict]) -> list[list[int]]:
    return [_tokens(row["text"])[0] for row in golden[:60]]


@needs_c
@pytest.mark.parametrize("model", ["lac", "seg"])
def test_lac_engines_agree_on_tags_and_features(sequences: list[list[int]], model: str) -> None:
    tagger = _network.tagger(model)
    if model == "seg":  # the seg vocabulary is smaller: keep ids in range
        sequences = [[i % 8000 for i in seq] for seq in sequences]
    c_paths = tagger.tag(sequences, use_c=True)
    np_paths = tagger.tag(sequences, use_c=False)
    assert [p.tolist() for p in c_paths] == [p.tolist() for p in np_paths]
    c_top = tagger.top_features(sequences[:8], use_c=True)
    np_top = tagger.top_features(sequences[:8], use_c=False)
    for a, b in zip(c_top, np_top, strict=True):
        np.testing.assert_allclose(a, b, atol=2e-5)


@needs_c
def test_lac_engines_agree_on_ranks(sequences: list[list[int]]) -> None:
    tags = [p.tolist() for p in _network.tagger("lac").tag(sequences)]
    ranker = _network.ranker()
    c_ranks = ranker.rank(sequences, tags, use_c=True)
    np_ranks = ranker.rank(sequences, tags, use_c=False)
    assert [r.tolist() for r in c_ranks] == [r.tolist() for r in np_ranks]


def test_lac_batch_gives_the_same_paths_as_one_by_one(sequences: list[list[int]]) -> None:
    tagger = _network.tagger("lac")
    together = tagger.tag(sequences[:20])
    alone = [tagger.tag([seq])[0] for seq in sequences[:20]]
    assert [p.tolist() for p in together] == [p.tolist() for p in alone]
