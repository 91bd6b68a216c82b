"""The model itself: import heavy libraries here, never in plugin.py."""

from __future__ import annotations

from typing import Any

from hubcore.devices import check_batch_size, resolve_device


class Module:
    """Text statistics; replace with a real model, keeping ``predict`` as its entry point."""

    def __init__(self, lowercase: bool = False) -> None:
        self.lowercase = lowercase

    def predict(
        self, texts: list[str], batch_size: int = 1, use_gpu: bool = False
    ) -> list[dict[str, object]]:
        """One result per text, in order, computed ``batch_size`` texts at a time.

        ``use_gpu=True`` fails at once, before any work, when torch sees no CUDA device.  This toy
        computes nothing on a device; a real model moves its network to ``device`` here.
        """
        resolve_device(use_gpu, owner="{{name}}.predict")  # a real model moves its network to this device
        check_batch_size(batch_size, owner="{{name}}.predict")
        results = []
        for start in range(0, len(texts), batch_size):
            for index, text in enumerate(texts[start : start + batch_size], start=start):
                if not isinstance(text, str):
                    raise TypeError(f"texts[{index}] is {type(text).__name__}, not str")
                if self.lowercase:
                    text = text.lower()
                results.append({"text": text, "characters": len(text), "words": len(text.split())})
        return results

    def context(self, trainable: bool = True, max_seq_len: int = 64) -> Any:
        """The encoder, tokenizer and sizes the Fine-tune API trains on (a ``hubcore.ModuleContext``).

        Needs torch (``pip install "{{dist}}[finetune]"``); imported here, on first use.
        """
        from {{package}}.finetune import build_context

        return build_context(
            trainable=trainable, max_seq_len=max_seq_len, module_kwargs={"lowercase": self.lowercase}
        )
