"""textgen_lstm speed: characters/s generating and texts/s scoring perplexity, beside references.

References, from the same run:
* a plain PyTorch loop over the same weights: textgenrnn's algorithm transcribed as it is written
  (one text after another, one network call per character, a hand-written LSTM cell stepped
  over the 40-token window); for perplexity, one batch of windows per text;
* with ``--tf-python PATH`` (a TensorFlow environment with textgenrnn, see
  ``hub-textgen/tools/make_goldens.py``), the original textgenrnn 2.0.0 itself on TensorFlow,
  through ``hub-textgen/tools/bench_original.py``.  TensorFlow is in none of our extras, so
  ``nox -s bench`` runs without it; hub-textgen's README records the figures measured with it.

Workload: ``--n`` texts of at most ``--length`` characters at temperature 0.5 from an empty
prefix; perplexity of ``--texts`` real English jokes from pyjokes (the ``bench`` extra), or of
built-in sentences when pyjokes is missing.  One thread everywhere unless ``--threads``.

    python benchmarks/bench_textgen.py [--n 8] [--length 100] [--texts 100] [--tf-python PYTHON]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from hub_textgen.module import TextgenLSTM
from hub_textgen.sampling import sample_index
from hub_textgen.vocab import META_TOKEN

ROOT = Path(__file__).resolve().parents[1]
FALLBACK_TEXTS = [
    "What is the best way to learn Python?",
    "TIL that octopuses have three hearts",
    "My cat knocked my coffee off the table again",
    "[Serious] Doctors of Reddit, what is the weirdest thing you have seen?",
]


class PlainLoop:
    """textgenrnn's computation written the obvious way in torch: an LSTM cell stepped in Python."""

    def __init__(self, lm: TextgenLSTM) -> None:
        state = {k: v.detach() for k, v in lm.network.state_dict().items()}
        self.embedding = state["encoder.embedding.weight"]
        self.layers = [
            (
                state[f"encoder.{n}.weight_ih_l0"].T.contiguous(),
                state[f"encoder.{n}.weight_hh_l0"].T.contiguous(),
                state[f"encoder.{n}.bias_ih_l0"] + state[f"encoder.{n}.bias_hh_l0"],
            )
            for n in ("rnn_1", "rnn_2")
        ]
        self.attention = state["encoder.attention.weight"]
        self.output_w, self.output_b = state["output.weight"].T.contiguous(), state["output.bias"]
        self.vocab = lm.vocab

    def _lstm(
        self, inputs: torch.Tensor, kernel: torch.Tensor, recurrent: torch.Tensor, bias: torch.Tensor
    ) -> torch.Tensor:
        batch, steps, _ = inputs.shape
        units = recurrent.shape[0]
        h = torch.zeros(batch, units)
        c = torch.zeros(batch, units)
        outputs = []
        for t in range(steps):
            z = inputs[:, t] @ kernel + h @ recurrent + bias
            i, f, g, o = z.split(units, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outputs.append(h)
        return torch.stack(outputs, dim=1)

    @torch.no_grad()
    def probabilities(self, windows: torch.Tensor) -> torch.Tensor:
        embedded = self.embedding[windows]
        first = self._lstm(embedded, *self.layers[0])
        second = self._lstm(first, *self.layers[1])
        sequence = torch.cat([embedded, first, second], dim=-1)
        scores = (sequence @ self.attention).squeeze(-1)
        scores = torch.exp(scores - scores.amax(dim=1, keepdim=True))
        weights = scores / (scores.sum(dim=1, keepdim=True) + 1e-7)
        pooled = (sequence * weights.unsqueeze(-1)).sum(dim=1)
        return torch.softmax(pooled @ self.output_w + self.output_b, dim=-1)

    def generate(self, n: int, temperature: float, max_length: int, seed: int) -> list[str]:
        texts = []
        for i in range(n):
            generator = np.random.RandomState(seed + i)
            tokens = [META_TOKEN]
            while len(tokens) < max_length + 1:
                window = torch.tensor([self.vocab.generation_window(tokens)])
                index = sample_index(self.probabilities(window)[0].numpy(), temperature, generator)
                tokens.append(self.vocab.id_to_char[index])
                if tokens[-1] == META_TOKEN:
                    break
            texts.append("".join(t for t in tokens[1:] if t != META_TOKEN))
        return texts

    def perplexity(self, texts: list[str]) -> list[float]:
        scores = []
        for text in texts:
            positions = list(self.vocab.scored_positions(text))
            windows = torch.tensor([p.window for p in positions])
            targets = torch.tensor([p.target for p in positions])
            probs = self.probabilities(windows).gather(1, targets[:, None])[:, 0].double()
            scores.append(float(torch.exp(-probs.log().mean())))
        return scores


def bench_texts(count: int) -> list[str]:
    try:
        import pyjokes
    except ImportError:
        return (FALLBACK_TEXTS * count)[:count]
    jokes = sorted({" ".join(j.split()) for j in pyjokes.get_jokes(language="en", category="all")})
    return (jokes * (count // len(jokes) + 1))[:count]


def best_of(rounds: int, fn):  # type: ignore[no-untyped-def]
    """(best seconds, last result) of ``rounds`` calls: the least-disturbed run on a shared machine."""
    best, result = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=8)
    parser.add_argument("--length", type=int, default=100)
    parser.add_argument("--texts", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--tf-python", help="python of a TensorFlow environment with textgenrnn 2.0.0")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lm = TextgenLSTM()
    plain = PlainLoop(lm)
    texts = bench_texts(args.texts)

    rows: list[tuple[str, str, float]] = []

    seconds, ours = best_of(
        args.rounds, lambda: lm.generate(n=args.n, temperature=0.5, max_length=args.length, seed=0)
    )
    rows.append(("generate", f"textgen_lstm, {args.n} texts batched", sum(map(len, ours)) / seconds))
    seconds, ours_one = best_of(
        args.rounds,
        lambda: [lm.generate(temperature=0.5, max_length=args.length, seed=i)[0] for i in range(args.n)],
    )
    rows.append(("generate", "textgen_lstm, one text at a time", sum(map(len, ours_one)) / seconds))
    seconds, reference = best_of(1, lambda: plain.generate(args.n, 0.5, args.length, 0))
    rows.append(("generate", "plain PyTorch loop (reference)", sum(map(len, reference)) / seconds))
    same = sum(a == b for a, b in zip(ours_one, reference, strict=True))

    seconds, scored = best_of(args.rounds, lambda: lm.perplexity(texts))
    rows.append(("perplexity", "textgen_lstm, all texts batched", len(texts) / seconds))
    seconds, reference_scores = best_of(1, lambda: plain.perplexity(texts))
    rows.append(("perplexity", "plain PyTorch loop (reference)", len(texts) / seconds))
    worst = max(abs(r["perplexity"] - p) / p for r, p in zip(scored, reference_scores, strict=True))

    if args.tf_python:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
            json.dump(texts, handle)
        script = ROOT / "hub-textgen" / "tools" / "bench_original.py"
        command = [args.tf_python, str(script), "--texts", handle.name, "--length", str(args.length)]
        command += ["--n", str(args.n), "--threads", str(args.threads)]
        result = json.loads(
            subprocess.run(command, check=True, capture_output=True, text=True).stdout.splitlines()[-1]
        )
        label = f"textgenrnn 2.0.0 on tensorflow-cpu {result['versions']['tensorflow-cpu']} (original)"
        rows.append(("generate", label, result["chars_per_s"]))
        rows.append(
            ("generate", "same, predict_on_batch instead of predict", result["chars_per_s_predict_on_batch"])
        )
        rows.append(("perplexity", label, result["texts_per_s"]))

    print(f"textgen_lstm, {args.threads} thread(s), torch {torch.__version__}; measured on a shared machine")
    print(
        f"  generation: {args.n} texts, max_length {args.length}, temperature 0.5;"
        f" perplexity: {len(texts)} texts"
    )
    print(
        f"  seeded texts equal to the plain loop's: {same}/{args.n};"
        f" perplexity max relative difference {worst:.1e}"
    )
    for kind in ("generate", "perplexity"):
        unit = "chars/s" if kind == "generate" else "texts/s"
        kind_rows = [r for r in rows if r[0] == kind]
        ours_best = kind_rows[0][2]
        for _, label, value in kind_rows:
            ratio = ours_best / value
            print(f"  {kind:<10} {label:<62} {value:>10.1f} {unit}   textgen_lstm is {ratio:.2f}x this")


if __name__ == "__main__":
    main()
