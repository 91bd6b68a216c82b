"""LAC's tagger on a torch device (``use_gpu=True``): the BiGRU layers and emission on CUDA.

The recurrences are the fine-tuning encoder's (:class:`LacEncoder`, written with the
inference engine's formulas); the emission scores come back to the host and the CRF's
Viterbi decoding is the engine's own, so paths are decoded exactly as on the CPU.
Only this module and the encoder import torch.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch

from hub_lac import _numpy_kernels
from hub_lac._network import load_weights, pad_ids
from hub_lac._torch_encoder import LacEncoder


class TorchTagger:
    """Same interface as :class:`hub_lac._network.Tagger` for ``tag``; runs on ``device``."""

    def __init__(self, model: str, device: str) -> None:
        self.device = torch.device(device)
        self.encoder = LacEncoder(model).to(self.device).eval()
        w = load_weights(model)
        self.emission_w = torch.from_numpy(w["emission.w"]).to(self.device)
        self.emission_b = torch.from_numpy(w["emission.b"]).to(self.device)
        self.crf = (w["crf.start"], w["crf.end"], w["crf.trans"])

    @torch.no_grad()
    def tag(self, sequences: list[list[int]]) -> list[np.ndarray]:
        """Tag-id paths, one per non-empty id sequence."""
        ids, lengths = pad_ids(sequences)
        input_ids = torch.from_numpy(ids).to(self.device)
        mask = torch.arange(ids.shape[1]).unsqueeze(0) < torch.from_numpy(lengths).long().unsqueeze(1)
        top = self.encoder(input_ids, mask.to(self.device))["sequence_output"]
        emission = (top @ self.emission_w + self.emission_b).float().cpu().numpy()
        paths = _numpy_kernels.viterbi(np.ascontiguousarray(emission), lengths, *self.crf)
        return [paths[row, :n] for row, n in enumerate(lengths.tolist())]


@cache
def torch_tagger(model: str, device: str) -> TorchTagger:
    """One tagger per model and device, built on first use."""
    return TorchTagger(model, device)
