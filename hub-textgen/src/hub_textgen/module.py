"""``textgen_lstm``: textgenrnn 2.0.0's pretrained character language model, in torch.

    lm = hubcore.Module(name="textgen_lstm")
    lm.generate(prefix="What is the best", n=3, temperature=0.5, seed=0)
    lm.perplexity(["TIL that cats sleep a lot", "qzx vvv"])
    lm.context(trainable=True)            # for the ``language_model`` fine-tune task

Weights: the network shipped with textgenrnn (trained on Reddit submission titles), converted to
safetensors by ``tools/convert_weights.py``; or, with ``directory=``, the best model of a
``language_model`` fine-tuning run.
"""

from __future__ import annotations

import copy
import math
import os
from collections.abc import Sequence
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch

from hub_textgen.inputs import (
    TextgenInputError,
    check_count,
    check_max_length,
    check_prefix,
    check_seed,
    check_temperature,
    check_texts,
    text_problem,
)
from hub_textgen.network import FEATURE_DIM, TextgenNetwork, load_network
from hub_textgen.sampling import sample_index, temperature_at
from hub_textgen.vocab import META_TOKEN, WINDOW, CharTokenizer, CharVocab
from hubcore.devices import check_batch_size, resolve_device

TASK_WEIGHTS = "model.safetensors"  # what the Fine-tune API saves in best_model/


def packaged_weights() -> Path:
    return Path(str(resources.files("hub_textgen") / "data" / "textgen_lstm.safetensors"))


class TextgenLSTM:
    """A character-level LSTM language model: generate text, score it, fine-tune it.

    ``directory``: a ``language_model`` run's checkpoint_dir (or its best_model folder) to use
    instead of the pretrained weights; ``weights``: a converted ``.safetensors`` file.
    """

    module_name = "textgen_lstm"

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        weights: str | os.PathLike[str] | None = None,
    ) -> None:
        self.vocab = CharVocab.packaged()
        if directory is not None and weights is not None:
            raise TextgenInputError("give directory= or weights=, not both")
        if directory is not None:
            self.network = load_finetuned(directory, self.vocab.size)
        else:
            path = Path(weights) if weights is not None else packaged_weights()
            if not path.is_file():
                raise TextgenInputError(f"{path}: no such weights file")
            self.network = load_network(path, self.vocab.size)
        self.network.eval()
        self.directory = None if directory is None else str(directory)
        self._device_copy: tuple[str, TextgenNetwork] | None = None

    def network_on(self, device: str) -> TextgenNetwork:
        """The network itself on the CPU; a copy on another device, made once."""
        if device == "cpu":
            return self.network
        if self._device_copy is None or self._device_copy[0] != device:
            self._device_copy = (device, copy.deepcopy(self.network).to(device).eval())
        return self._device_copy[1]

    # ------------------------------------------------------------------ prediction

    @torch.no_grad()
    def next_char_probabilities(self, prefixes: Sequence[str]) -> np.ndarray:
        """(len(prefixes), 465) float32: the distribution of the character after each prefix."""
        windows = [self.vocab.generation_window([META_TOKEN, *check_prefix(p)]) for p in prefixes]
        if not windows:
            return np.zeros((0, self.vocab.size), dtype=np.float32)
        return self.network.probabilities(torch.tensor(windows)).numpy()

    @torch.no_grad()
    def generate(
        self,
        prefix: str = "",
        n: int = 1,
        temperature: float | list[float] = 0.5,
        max_length: int = 300,
        seed: int | None = None,
        use_gpu: bool = False,
        batch_size: int | None = None,
    ) -> list[str]:
        """``n`` texts that continue ``prefix``, each at most ``max_length`` characters (prefix included).

        Generation stops at the model's end token or at ``max_length``.  ``temperature`` 0 is greedy;
        a list is cycled through character by character.  Characters of the prefix outside the
        vocabulary are read as padding (index 0), as textgenrnn does, and kept in the text.
        With ``seed``, text ``i`` draws from ``numpy.random.RandomState(seed + i)``, so it equals
        textgenrnn's ``generate`` after ``np.random.seed(seed + i)``; the ``n`` texts are computed
        together, a batch of windows per step (``batch_size`` texts at a time when given: the same
        texts, less memory).  ``use_gpu=True`` runs the network on CUDA, or fails before any work
        when there is none.
        """
        device = resolve_device(use_gpu, owner="textgen_lstm.generate")
        if batch_size is not None:
            check_batch_size(batch_size, owner="textgen_lstm.generate")
        prefix = check_prefix(prefix)
        n = check_count(n)
        temperature = check_temperature(temperature)
        max_tokens = check_max_length(max_length) + 1  # textgenrnn's max_gen_length counts <s>
        seed = check_seed(seed, n)
        generators = [np.random.RandomState(None if seed is None else seed + i) for i in range(n)]
        rows = [[META_TOKEN, *prefix] for _ in range(n)]
        step = n if batch_size is None else batch_size
        for start in range(0, n, step):
            self._continue(rows[start : start + step], generators[start : start + step], temperature,
                           max_tokens, device)  # fmt: skip
        return [_joined(row) for row in rows]

    @torch.no_grad()
    def _continue(
        self,
        rows: list[list[str]],
        generators: list[np.random.RandomState],
        temperature: float | list[float],
        max_tokens: int,
        device: str,
    ) -> None:
        """Extend each row in place, one character per step, until its end token or ``max_tokens``."""
        network = self.network_on(device)
        active = [i for i in range(len(rows)) if len(rows[i]) < max_tokens]
        while active:
            windows = torch.tensor([self.vocab.generation_window(rows[i]) for i in active])
            probabilities = network.probabilities(windows.to(device)).cpu().numpy()
            still = []
            for i, distribution in zip(active, probabilities, strict=True):
                heat = temperature_at(temperature, len(rows[i]) - 1)
                token = self.vocab.id_to_char[sample_index(distribution, heat, generators[i])]
                rows[i].append(token)
                if token != META_TOKEN and len(rows[i]) < max_tokens:
                    still.append(i)
            active = still

    @torch.no_grad()
    def perplexity(
        self, texts: Sequence[str], batch_size: int = 512, use_gpu: bool = False
    ) -> list[dict[str, Any]]:
        """Per text: ``exp`` of the mean negative log-likelihood of its characters and end token.

        Scored as textgenrnn trains: ``<s> + text + <s>``, each in-vocabulary token predicted from
        the in-vocabulary tokens of the 40 before it; characters outside the vocabulary are left
        out (listed under ``unknown_characters``).  A text that cannot be scored (not a string,
        empty, no known character) gets ``{"text", "error"}`` and the others are still scored.
        ``batch_size`` characters are scored together; ``use_gpu=True`` runs the network on CUDA,
        or fails before any work when there is none.
        """
        device = resolve_device(use_gpu, owner="textgen_lstm.perplexity")
        check_batch_size(batch_size, owner="textgen_lstm.perplexity")
        texts = check_texts(texts)
        results: list[dict[str, Any]] = []
        log_likelihood = np.zeros(len(texts), dtype=np.float64)
        counts = np.zeros(len(texts), dtype=np.int64)
        pending: list[tuple[tuple[int, ...], int, int]] = []  # (window, target, text index)
        for index, text in enumerate(texts):
            known = sum(c in self.vocab for c in text) if isinstance(text, str) else 0
            problem = text_problem(index, text, known)
            if problem is not None:
                results.append({"text": text, "error": problem})
                continue
            results.append({"text": text, "unknown_characters": self.vocab.unknown_characters(text)})
            for position in self.vocab.scored_positions(text):
                pending.append((position.window, position.target, index))
                if len(pending) == batch_size:  # bounded memory, however long the texts
                    self._score(pending, log_likelihood, counts, device)
                    pending = []
        if pending:
            self._score(pending, log_likelihood, counts, device)
        for index, result in enumerate(results):
            if "error" not in result:
                result["perplexity"] = math.exp(-log_likelihood[index] / counts[index])
                result["scored_tokens"] = int(counts[index])
        return results

    @torch.no_grad()
    def _score(
        self,
        batch: list[tuple[tuple[int, ...], int, int]],
        log_likelihood: np.ndarray,
        counts: np.ndarray,
        device: str = "cpu",
    ) -> None:
        """Add each window's log-probability of its target to its text's total."""
        windows, targets, owners = zip(*batch, strict=True)
        logits = self.network_on(device)(torch.tensor(windows).to(device)).cpu()
        log_probs = torch.log_softmax(logits, dim=-1)
        picked = log_probs.gather(1, torch.tensor(targets)[:, None])[:, 0].double().numpy()
        np.add.at(log_likelihood, list(owners), picked)
        np.add.at(counts, list(owners), 1)

    # ------------------------------------------------------------------ fine-tuning

    def context(self, trainable: bool = True) -> Any:
        """The encoder (a copy: fine-tuning leaves this module as it is) and tokenizer for a task.

        ``extra["output_layer"]`` carries the pretrained output layer, which the ``language_model``
        task starts its head from, so fine-tuning continues the original model rather than
        training a new softmax.
        """
        from hubcore.finetune import ModuleContext

        encoder = copy.deepcopy(self.network.encoder)
        for parameter in encoder.parameters():
            parameter.requires_grad_(trainable)
        depth = {"embedding": 0, "rnn_1": 1, "rnn_2": 2, "attention": 3}
        return ModuleContext(
            encoder=encoder,
            tokenizer=CharTokenizer(self.vocab),
            sentence_dim=FEATURE_DIM,
            token_dim=FEATURE_DIM,
            max_seq_len=WINDOW,
            params_layer={name: depth[name.split(".")[0]] for name, _ in encoder.named_parameters()},
            extra={
                "module": {"name": self.module_name, "kwargs": {}},
                "output_layer": {k: v.detach().clone() for k, v in self.network.output.state_dict().items()},
                "vocab_size": self.vocab.size,
            },
        )


def _joined(tokens: list[str]) -> str:
    """textgenrnn's ending: drop the opening <s> and the first later one (the end token), join."""
    text = tokens[1:]
    if META_TOKEN in text:
        text.remove(META_TOKEN)
    return "".join(text)


def load_finetuned(directory: str | os.PathLike[str], vocab_size: int) -> TextgenNetwork:
    """The network of a ``language_model`` run's best model (``encoder.*`` and ``head.output.*``)."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    folder = Path(directory)
    if not folder.is_dir():
        raise TextgenInputError(f"{folder}: no such checkpoint folder")
    candidates = [folder / TASK_WEIGHTS, folder / "best_model" / TASK_WEIGHTS]
    found = next((c for c in candidates if c.is_file()), None)
    if found is None:
        raise TextgenInputError(
            f"{folder}: no {TASK_WEIGHTS} here or in best_model/; is it a language_model run?"
        )
    try:
        saved = load_file(str(found))
    except (SafetensorError, OSError) as exc:
        raise TextgenInputError(f"{found}: unreadable weights ({exc})") from None
    state = {}
    for name, value in saved.items():
        if name.startswith("encoder."):
            state[name] = value
        elif name.startswith("head.output."):
            state["output." + name.removeprefix("head.output.")] = value
    network = TextgenNetwork(vocab_size)
    try:
        missing, _ = network.load_state_dict(state, strict=False)
    except RuntimeError:
        missing = ["(tensor shapes differ)"]
    if missing:
        raise TextgenInputError(f"{found}: not a textgen_lstm model ({', '.join(missing[:3])} missing)")
    return network
