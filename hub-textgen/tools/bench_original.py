"""Speed of the ORIGINAL textgenrnn 2.0.0 on TensorFlow, on the workload of benchmarks/bench_textgen.py.

Runs in the throwaway TensorFlow environment of tools/make_goldens.py (never in the project's venvs):

    /tmp/tfenv/bin/python hub-textgen/tools/bench_original.py --texts texts.json [--length 100] [--n 8]

``bench_textgen.py --tf-python /tmp/tfenv/bin/python`` calls it itself and prints its figures
beside ours.  Prints one JSON line: characters/s of ``textgenrnn.generate`` (as the package runs
it: one ``model.predict`` per character, texts one after another) and texts/s of scoring texts
through the original's training pipeline (``generate_sequences_from_texts`` + ``model.predict``,
one batch per text).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from make_goldens import _original_perplexity, _stub_removed_imports


def _generate_on_batch(textgen: object, max_gen_length: int) -> str:
    """textgenrnn's generation loop with ``model.predict_on_batch`` instead of ``model.predict``.

    Not the package's code path (its ``generate`` calls ``predict``, whose per-call set-up
    dominates); the same network and sampling on TensorFlow without that set-up, for scale.
    """
    from textgenrnn.utils import textgenrnn_encode_sequence, textgenrnn_sample

    maxlen, meta = textgen.config["max_length"], textgen.META_TOKEN
    text = [meta]
    while len(text) < max_gen_length:
        encoded = textgenrnn_encode_sequence(text[-maxlen:], textgen.vocab, maxlen)
        index = textgenrnn_sample(np.asarray(textgen.model.predict_on_batch(encoded))[0], 0.5)
        text.append(textgen.indices_char[index])
        if text[-1] == meta:
            break
    return "".join(t for t in text[1:] if t != meta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--texts", required=True, help="JSON list of texts to score")
    parser.add_argument("--length", type=int, default=100, help="max_length of a generated text")
    parser.add_argument("--n", type=int, default=8, help="texts generated")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    _stub_removed_imports()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    from textgenrnn import textgenrnn

    textgen = textgenrnn()
    texts = json.loads(Path(args.texts).read_text(encoding="utf-8"))
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink):  # Keras prints a progress bar per predict() call
        textgen.generate(1, return_as_list=True, temperature=0.5, max_gen_length=10, progress=False)
        np.random.seed(0)
        start = time.perf_counter()
        generated = textgen.generate(
            args.n, return_as_list=True, temperature=0.5, max_gen_length=args.length + 1, progress=False
        )
        generate_s = time.perf_counter() - start
        np.random.seed(0)
        start = time.perf_counter()
        direct = [_generate_on_batch(textgen, args.length + 1) for _ in range(args.n)]
        direct_s = time.perf_counter() - start
        _original_perplexity(textgen, texts[0])
        start = time.perf_counter()
        for text in texts:
            _original_perplexity(textgen, text)
        perplexity_s = time.perf_counter() - start
    from importlib.metadata import version

    print(
        json.dumps(
            {
                "chars_per_s": sum(len(t) for t in generated) / generate_s,
                "texts_per_s": len(texts) / perplexity_s,
                "chars_per_s_predict_on_batch": sum(len(t) for t in direct) / direct_s,
                "versions": {name: version(name) for name in ("tensorflow-cpu", "keras", "textgenrnn")},
            }
        )
    )


if __name__ == "__main__":
    main()
