"""A linear-chain conditional random field for sequence labelling.

Scores a tag path as the sum of per-token emission scores and tag-to-tag
transition scores (plus start and end scores); training minimises the negative
log-likelihood of the gold path, and decoding is Viterbi.  Padding positions
(mask 0) must come after the real tokens of each sequence.
"""

from __future__ import annotations

import torch
from torch import nn


class LinearChainCRF(nn.Module):
    """Transition parameters and the two algorithms that use them."""

    def __init__(self, num_tags: int) -> None:
        super().__init__()
        self.num_tags = num_tags
        self.transitions = nn.Parameter(torch.zeros(num_tags, num_tags))  # [from, to]
        self.start = nn.Parameter(torch.zeros(num_tags))
        self.end = nn.Parameter(torch.zeros(num_tags))

    def neg_log_likelihood(
        self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor, reduction: str = "mean"
    ) -> torch.Tensor:
        """-log p(tags | emissions), averaged over the batch (``reduction="none"``: per sequence).

        emissions (B, T, K), tags and mask (B, T).
        """
        mask = mask.bool()
        tags = tags.masked_fill(~mask, 0)
        nll = self._log_partition(emissions, mask) - self._path_score(emissions, tags, mask)
        return nll if reduction == "none" else nll.mean()

    def decode(self, emissions: torch.Tensor, mask: torch.Tensor) -> list[list[int]]:
        """The best tag path of each sequence, as long as its mask."""
        mask = mask.bool()
        batch, length, _ = emissions.shape
        score = self.start + emissions[:, 0]
        backpointers = []
        for t in range(1, length):
            candidates = score.unsqueeze(2) + self.transitions + emissions[:, t].unsqueeze(1)
            best, index = candidates.max(dim=1)
            step_on = mask[:, t].unsqueeze(1)
            score = torch.where(step_on, best, score)
            backpointers.append(torch.where(step_on, index, torch.arange(self.num_tags).expand(batch, -1)))
        score = score + self.end
        last = score.argmax(dim=1)
        lengths = mask.sum(dim=1).tolist()
        paths = []
        for b in range(batch):
            tag = int(last[b])
            path = [tag]
            for t in range(lengths[b] - 2, -1, -1):
                tag = int(backpointers[t][b, tag])
                path.append(tag)
            paths.append(path[::-1])
        return paths

    def _path_score(self, emissions: torch.Tensor, tags: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        emitted = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)
        score = self.start[tags[:, 0]] + (emitted * mask).sum(dim=1)
        moves = self.transitions[tags[:, :-1], tags[:, 1:]] * mask[:, 1:]
        score = score + moves.sum(dim=1)
        last = tags.gather(1, (mask.sum(dim=1, keepdim=True) - 1).clamp(min=0)).squeeze(1)
        return score + self.end[last]

    def _log_partition(self, emissions: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        alpha = self.start + emissions[:, 0]
        for t in range(1, emissions.shape[1]):
            step = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + emissions[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), step, alpha)
        return torch.logsumexp(alpha + self.end, dim=1)
