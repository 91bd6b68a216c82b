"""Extractive reading comprehension, as PaddleHub 1.x's ReadingComprehensionTask (CMRC2018, DRCD).

A linear layer reads a start and an end logit at every position of the encoder's
sequence output; the loss is the mean of the two cross-entropies against the
reader's ``[start, end]`` labels.  Decoding takes the ``n_best`` highest start and
end logits among the window's context positions, keeps the pairs where the end does
not precede the start and the answer spans at most ``max_answer_len`` characters,
scores a pair by the sum of its logits, and across an example's windows keeps the
best; the span maps back to the context's characters.  Metrics are the CMRC2018 EM
and F1 (``_rc_metric``), F1 picks the best model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812

from hubcore._errors import HubcoreError
from hubcore.finetune.config import RunConfig
from hubcore.finetune.contract import SEQUENCE_OUTPUT, ModuleContext, Reader
from hubcore.finetune.readers.reading import WINDOW_ID, ReadingComprehensionReader, Window
from hubcore.finetune.tasks.basic import BasicTask, TaskModel
from hubcore.finetune.tasks.reading_metric import em_f1

Candidate = tuple[float, int, int]  # score, first and last context character


class ReadingComprehensionTask(BasicTask):
    """Answer spans over the encoder's sequence output; CMRC2018 EM and F1 (main)."""

    reader: ReadingComprehensionReader
    main_metric = "f1"
    greater_is_better = True
    non_feature_keys = ("labels", WINDOW_ID)

    def __init__(
        self,
        context: ModuleContext,
        reader: Reader,
        config: RunConfig | None = None,
        *,
        max_answer_len: int = 30,
        n_best: int = 20,
        dropout: float = 0.1,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        if not isinstance(reader, ReadingComprehensionReader):
            raise HubcoreError(
                f"ReadingComprehensionTask needs a ReadingComprehensionReader, not {type(reader).__name__}"
            )
        if max_answer_len < 1 or n_best < 1:
            raise HubcoreError(
                f"max_answer_len and n_best must be at least 1, not {max_answer_len}, {n_best}"
            )
        self.max_answer_len, self.n_best, self.dropout = int(max_answer_len), int(n_best), float(dropout)
        self.hparams = {"max_answer_len": self.max_answer_len, "n_best": self.n_best, "dropout": self.dropout}

    def build_head(self) -> nn.Module:
        return nn.Sequential(nn.Dropout(self.dropout), nn.Linear(self.context.token_dim, 2))

    def forward(self, model: TaskModel, batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        states = model.encoder(**self.encoder_inputs(batch))[SEQUENCE_OUTPUT]
        logits = model.head(states)
        mask = batch["attention_mask"].bool()
        logits = logits.masked_fill(~mask.unsqueeze(-1), torch.finfo(logits.dtype).min)
        return {"start_logits": logits[..., 0], "end_logits": logits[..., 1]}

    def compute_loss(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> torch.Tensor:
        labels = batch["labels"]
        start = F.cross_entropy(outputs["start_logits"].float(), labels[:, 0])
        end = F.cross_entropy(outputs["end_logits"].float(), labels[:, 1])
        return (start + end) / 2

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        """Per window: ``(window_id, n-best candidates)``."""
        starts = outputs["start_logits"].detach().float().cpu()
        ends = outputs["end_logits"].detach().float().cpu()
        ids = batch[WINDOW_ID].tolist()
        return [(wid, self._candidates(self._window(wid), starts[i], ends[i])) for i, wid in enumerate(ids)]

    def batch_labels(self, batch: dict[str, Any]) -> list[Any]:
        ids: list[Any] = batch[WINDOW_ID].tolist()
        return ids

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        pairs = [(answer["text"], list(window.answers)) for window, answer in self._answers(predictions)]
        return em_f1(pairs)

    @torch.no_grad()
    def predict(self, data: Sequence[Any], *, batch_size: int | None = None, raw: bool = False) -> list[Any]:
        """One answer per input: ``{"text", "start", "end", "score", "n_best"}`` (``end`` exclusive).

        Inputs are ``{"question": ..., "context": ...}`` or ``[question, context]``;
        ``raw=True`` gives the per-window candidates instead.
        """
        kept = len(self.reader.windows)
        windows = super().predict(data, batch_size=batch_size, raw=True)
        if raw:
            return windows
        answers = [answer for _, answer in self._answers(windows)]
        del self.reader.windows[kept:]  # prediction windows are not kept: repeated calls do not grow memory
        return answers

    # -- decoding -----------------------------------------------------------------------

    def _window(self, window_id: int) -> Window:
        window: Window = self.reader.windows[window_id]
        return window

    def _candidates(self, window: Window, starts: torch.Tensor, ends: torch.Tensor) -> list[Candidate]:
        chars = window.char_of_position
        context_positions = torch.tensor([p for p, c in enumerate(chars) if c >= 0], dtype=torch.long)
        if not len(context_positions):
            return []
        k = min(self.n_best, len(context_positions))
        top_starts = context_positions[starts[context_positions].topk(k).indices].tolist()
        top_ends = context_positions[ends[context_positions].topk(k).indices].tolist()
        found: list[Candidate] = []
        for s in top_starts:
            for e in top_ends:
                first, last = chars[s], chars[e]
                if last < first or last - first + 1 > self.max_answer_len:
                    continue
                found.append((float(starts[s] + ends[e]), first, last))
        found.sort(key=lambda c: -c[0])
        return found[: self.n_best]

    def _answers(self, predictions: list[Any]) -> list[tuple[Window, dict[str, Any]]]:
        """The best answer of each example, in the order its first window appeared."""
        grouped: dict[int, tuple[Window, list[Candidate]]] = {}
        for window_id, candidates in predictions:
            window = self._window(window_id)
            grouped.setdefault(window.serial, (window, []))[1].extend(candidates)
        answers = []
        for window, candidates in grouped.values():
            ranked = sorted(set(candidates), key=lambda c: -c[0])[: self.n_best]
            n_best = [
                {"text": window.context[first : last + 1], "start": first, "end": last + 1, "score": score}
                for score, first, last in ranked
            ]
            best = n_best[0] if n_best else {"text": "", "start": 0, "end": 0, "score": float("-inf")}
            answers.append((window, {**best, "n_best": n_best}))
        return answers
