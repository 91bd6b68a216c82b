"""The ``video_classifier`` module: a clip classifier fine-tuned with the ``video_classification`` task.

No pretrained video (Kinetics) weights are reachable from here, so this module is fine-tune-first:
``directory`` is the ``checkpoint_dir`` of a VideoClassifierTask run (or its ``best_model``), and
the frame encoder is rebuilt from what that run recorded.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import torch

from hub_efficientnet.video_io import VideoInputError
from hubcore import HubcoreError
from hubcore.devices import check_batch_size, resolve_device


class VideoClassifier:
    """``classification(paths=[...], top_k=1)``: per clip ``{label: probability}``, or ``{"error": ...}``."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        if directory is None:
            raise HubcoreError(
                "video_classifier has no pretrained weights (none are reachable here): fine-tune one with "
                "the 'video_classification' task and pass directory=CHECKPOINT_DIR (--directory)"
            )
        from hubcore.finetune import load_task

        self.task = load_task(directory)
        self.labels = list(self.task.label_list)

    def classification(
        self,
        paths: Sequence[str | os.PathLike[str]] | str | os.PathLike[str],
        batch_size: int = 1,
        use_gpu: bool = False,
        top_k: int = 1,
    ) -> list[dict[str, Any]]:
        """Per clip ``{label: probability}`` of the top k, or ``{"error": ...}`` for an unreadable clip.

        ``use_gpu=True`` runs the model on CUDA, or fails before any work when there is none.
        """
        device = resolve_device(use_gpu, owner="video_classifier.classification")
        check_batch_size(batch_size, owner="video_classifier.classification")
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        if isinstance(top_k, bool) or not isinstance(top_k, int) or not 1 <= top_k <= len(self.labels):
            raise HubcoreError(f"top_k must be a whole number from 1 to {len(self.labels)}, got {top_k!r}")
        results: list[dict[str, Any]] = []
        usable: list[tuple[int, dict[str, Any]]] = []
        for path in paths:
            try:
                usable.append((len(results), self.task.reader.encode_texts([str(path)])[0]))
                results.append({})
            except VideoInputError as exc:
                results.append({"error": str(exc)})
        model = self.task.model.to(device)
        model.eval()
        with torch.inference_mode():
            for start in range(0, len(usable), batch_size):
                chunk = usable[start : start + batch_size]
                batch = self.task.reader.collate([item for _, item in chunk])
                batch = {key: value.to(device) if isinstance(value, torch.Tensor) else value
                         for key, value in batch.items()}  # fmt: skip
                probabilities = torch.softmax(model(batch)["logits"], dim=-1).cpu()
                top = probabilities.topk(top_k, dim=-1)
                for (index, _), values, indices in zip(chunk, top.values, top.indices, strict=True):
                    results[index] = {
                        self.labels[int(i)]: round(float(v), 6) for v, i in zip(values, indices, strict=True)
                    }
        return results
