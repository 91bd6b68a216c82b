"""The model itself: import heavy libraries here, never in plugin.py."""

from __future__ import annotations


class Module:
    """Text statistics; replace with a real model, keeping ``predict`` as its entry point."""

    def __init__(self, lowercase: bool = False) -> None:
        self.lowercase = lowercase

    def predict(self, texts: list[str]) -> list[dict[str, object]]:
        """One result per text, in order."""
        results = []
        for index, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"texts[{index}] is {type(text).__name__}, not str")
            if self.lowercase:
                text = text.lower()
            results.append({"text": text, "characters": len(text), "words": len(text.split())})
        return results
