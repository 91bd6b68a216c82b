"""Golden outputs of the ORIGINAL textgenrnn 2.0.0 on TensorFlow, for hub-textgen's parity tests.

Run once, in a throwaway virtual environment outside the repository (never in the test venv):

    python3.11 -m venv /tmp/tfenv
    /tmp/tfenv/bin/pip install tensorflow-cpu==2.15.1 h5py scikit-learn tqdm
    /tmp/tfenv/bin/pip install --no-deps textgenrnn==2.0.0
    /tmp/tfenv/bin/python hub-textgen/tools/make_goldens.py hub-textgen/tests/golden

Versions used for the committed goldens (2026-12-01): Python 3.11.7, tensorflow-cpu 2.15.1
(tf.keras = Keras 2.15.0), numpy 1.26.4, h5py 3.16.0, scikit-learn 1.9.1 (tqdm as pip resolved it),
textgenrnn 2.0.0 from PyPI (sdist sha256 c2b6f1c2...86f8).

textgenrnn 2.0.0 imports two names that TensorFlow 2.4+ removed and that none of the code run
here uses: ``tensorflow.keras.utils.multi_gpu_model`` (multi-GPU training) and
``keras.backend.tensorflow_backend.set_session`` (only with ``allow_growth``).  They are stubbed
before the import; everything else (the model builder, Keras' own HDF5 loading with its
CuDNNLSTM-to-LSTM weight conversion, ``textgenrnn_encode_sequence``, ``textgenrnn_sample``,
``textgenrnn.generate``) is the package's code, unchanged.

Writes ``layers.npz`` (every layer's output for a few windows), ``probabilities.npy`` (float32,
one next-character distribution per prefix, as ``model.predict`` returns it) and
``goldens.json`` (the prefixes, greedy continuations, seeded samples and perplexities through
the original's training pipeline, with the versions).
"""

from __future__ import annotations

import json
import sys
import types
from pathlib import Path

import numpy as np

# The 50 prefixes: empty, short and long (over the 40-token window), common Reddit-title openings,
# punctuation, digits, and characters outside the 465-character vocabulary (newline, tab, CJK,
# emoji), which the original encodes as index 0.
PREFIXES = [
    "",
    "I",
    "The",
    "What is the best",
    "TIL that",
    "My cat",
    "Why do people",
    "Can someone explain",
    "This is",
    "Just found out",
    "PSA:",
    "[Serious]",
    "Does anyone else",
    "How to",
    "My girlfriend said",
    "Today I learned that the",
    "When you",
    "Finally",
    "ELI5: How does",
    "Breaking news: ",
    "a",
    "z",
    "42",
    "2018 was the year",
    "Hello, world!",
    "It's not a bug, it's a feature",
    "The quick brown fox jumps over the lazy dog",
    "This is a very long prefix that goes on and on beyond the forty character window",
    "Python",
    "Reddit, what's your",
    "I made a",
    "Trump",
    "Game of Thrones",
    "The new iPhone",
    "Is it just me or",
    "After 10 years",
    "Café",
    "Don’t",
    "Wait…",
    "ALL CAPS TITLE",
    "question?",
    "(OC)",
    "#1",
    "line one\nline two",
    "tab\there",
    "中文标题",
    "I love 🍕 and",
    "   spaces",
    "ಠ_ಠ",
    "Me:",
]

# Greedy continuations (temperature 0) for every prefix, and seeded samples for a few.
GREEDY_MAX_GEN_LENGTH = 120
SAMPLED = [
    {"prefix": "", "temperature": 0.5, "seed": 0},
    {"prefix": "", "temperature": 1.0, "seed": 1},
    {"prefix": "What is the best", "temperature": 0.5, "seed": 2},
    {"prefix": "My cat", "temperature": 0.5, "seed": 3},
    {"prefix": "TIL that", "temperature": 0.2, "seed": 4},
    {"prefix": "The", "temperature": [1.0, 0.5, 0.2, 0.2], "seed": 5},
    {"prefix": "中文标题", "temperature": 0.5, "seed": 6},
    {"prefix": "Hello, world!", "temperature": 0.8, "seed": 7},
]
SAMPLED_MAX_GEN_LENGTH = 120

# Texts scored through the original's own training pipeline (generate_sequences_from_texts).
PERPLEXITY_TEXTS = [
    "What is the best way to learn Python?",
    "TIL that octopuses have three hearts",
    "My cat knocked my coffee off the table again",
    "The quick brown fox jumps over the lazy dog, and then the dog wakes up and chases the fox.",
    "asdf qwer zxcv",
    "I love 🍕 and 中文 too",
    "line one\nline two",
    "PSA: back up your files!",
    "a",
    "[Serious] Doctors of Reddit, what is the weirdest thing you have seen?",
]


def _stub_removed_imports() -> None:
    import tensorflow.keras.utils as keras_utils

    def multi_gpu_model(*args: object, **kwargs: object) -> None:
        raise RuntimeError("multi_gpu_model is not available (removed from TensorFlow)")

    keras_utils.multi_gpu_model = multi_gpu_model  # type: ignore[attr-defined]
    backend = types.ModuleType("keras.backend.tensorflow_backend")

    def set_session(*args: object, **kwargs: object) -> None:
        raise RuntimeError("set_session is not available (removed from Keras)")

    backend.set_session = set_session  # type: ignore[attr-defined]
    sys.modules["keras.backend.tensorflow_backend"] = backend


def _original_perplexity(textgen: object, text: str) -> dict[str, object]:
    """exp(mean -log p) over the (window, target) pairs textgenrnn's own training generator makes."""
    from textgenrnn.model_training import generate_sequences_from_texts

    indices = np.block(np.meshgrid(np.array(0), np.arange(len(text) + 1)))
    targets = sum(c in textgen.vocab for c in text) + 1  # the known characters and the end token
    x, y = next(generate_sequences_from_texts([text], indices, textgen, None, batch_size=targets))
    x, y = x.reshape(targets, -1), y.reshape(targets, -1)
    probs = textgen.model.predict(x, batch_size=256, verbose=0).astype(np.float64)
    nll = -np.mean(np.log(np.sum(probs * y, axis=1)))
    return {"text": text, "scored_tokens": int(targets), "perplexity": float(np.exp(nll))}


LAYER_PREFIXES = ["", "What is the best", "line one\nline two", "The quick brown fox jumps over the lazy dog"]
LAYERS = ("embedding", "rnn_1", "rnn_2", "attention", "output")


def layer_goldens(out_dir: str) -> None:
    """``layers.npz``: every layer's output for LAYER_PREFIXES (a Keras sub-model per layer)."""
    _stub_removed_imports()
    import tensorflow as tf
    from textgenrnn import textgenrnn
    from textgenrnn.utils import textgenrnn_encode_sequence

    textgen = textgenrnn()
    maxlen = textgen.config["max_length"]
    windows = np.concatenate(
        [
            textgenrnn_encode_sequence([textgen.META_TOKEN, *p][-maxlen:], textgen.vocab, maxlen)
            for p in LAYER_PREFIXES
        ]
    )
    model = textgen.model
    probe = tf.keras.Model(inputs=model.inputs, outputs=[model.get_layer(name).output for name in LAYERS])
    arrays = {"windows": windows.astype(np.int64)}
    for name, value in zip(LAYERS, probe.predict(windows, verbose=0), strict=True):
        arrays[name] = value.astype(np.float32)
    np.savez(Path(out_dir) / "layers.npz", **arrays)


def main(out_dir: str) -> None:
    layer_goldens(out_dir)
    _stub_removed_imports()
    import h5py  # noqa: F401  (the HDF5 reader Keras loads the weights with)
    import tensorflow as tf
    from textgenrnn import textgenrnn
    from textgenrnn.utils import textgenrnn_encode_sequence

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    textgen = textgenrnn()
    maxlen = textgen.config["max_length"]

    probabilities = []
    for prefix in PREFIXES:
        tokens = [textgen.META_TOKEN, *prefix]
        encoded = textgenrnn_encode_sequence(tokens[-maxlen:], textgen.vocab, maxlen)
        probabilities.append(textgen.model.predict(encoded, batch_size=1, verbose=0)[0])
    np.save(out / "probabilities.npy", np.asarray(probabilities, dtype=np.float32))

    greedy = []
    for prefix in PREFIXES:
        (text,) = textgen.generate(
            1,
            return_as_list=True,
            prefix=prefix or None,
            temperature=0.0,
            max_gen_length=GREEDY_MAX_GEN_LENGTH,
            progress=False,
        )
        greedy.append({"prefix": prefix, "max_gen_length": GREEDY_MAX_GEN_LENGTH, "text": text})
        print(repr(prefix), "->", repr(text), flush=True)

    sampled = []
    for case in SAMPLED:
        np.random.seed(case["seed"])
        (text,) = textgen.generate(
            1,
            return_as_list=True,
            prefix=case["prefix"] or None,
            temperature=case["temperature"],
            max_gen_length=SAMPLED_MAX_GEN_LENGTH,
            progress=False,
        )
        sampled.append({**case, "max_gen_length": SAMPLED_MAX_GEN_LENGTH, "text": text})
        print(case, "->", repr(text), flush=True)

    perplexity = [_original_perplexity(textgen, text) for text in PERPLEXITY_TEXTS]

    from importlib.metadata import version

    versions = {"python": sys.version.split()[0], "tensorflow": tf.__version__}
    for name in ("tensorflow-cpu", "keras", "numpy", "h5py", "scikit-learn", "textgenrnn"):
        versions[name] = version(name)
    record = {
        "source": "textgenrnn 2.0.0 (PyPI, MIT) on TensorFlow, tools/make_goldens.py",
        "versions": versions,
        "prefixes": PREFIXES,
        "greedy": greedy,
        "sampled": sampled,
        "perplexity": perplexity,
    }
    (out / "goldens.json").write_text(
        json.dumps(record, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "golden")
