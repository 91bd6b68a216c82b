"""The ``lac`` module: Baidu's LAC lexical analysis behind PaddleHub's interface."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hub_lac._lexer import MODES, Analysis, Lexer
from hub_lac._tags import RANK_MEANINGS, TAG_MEANINGS
from hub_lac._userdict import UserDict
from hubcore.devices import resolve_device

if TYPE_CHECKING:
    from hubcore.finetune import ModuleContext


def _check_texts(texts: object, name: str) -> list[str]:
    if isinstance(texts, str):
        return [texts]
    if not isinstance(texts, (list, tuple)):
        raise TypeError(f"{name} must be a str or a list of str, not {type(texts).__name__}")
    for index, item in enumerate(texts):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{index}] must be a str, not {type(item).__name__}")
    return list(texts)


def _check_batch_size(batch_size: object) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive int, not {batch_size!r}")
    return batch_size


class LAC:
    """Chinese word segmentation, part-of-speech and entity tags, and word importance.

    ``mode="lac"`` gives words and tags, ``"seg"`` words from the lighter segmentation
    model, ``"rank"`` words, tags and an importance level 0-3 per word.  Results equal
    those of Baidu's LAC 2.1.2, whose converted weights ship with this package.
    """

    def __init__(self, mode: str = "lac", user_dict: str | Path | None = None) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self._lexer = Lexer(mode)
        if user_dict is not None:
            self.set_user_dict(user_dict)

    def cut(
        self,
        text: str | Sequence[str],
        use_gpu: bool = False,
        batch_size: int = 1,
        return_tag: bool = True,
    ) -> Any:
        """A ``str`` gives its list of words; a list gives one dict per text (see ``lexical_analysis``).

        ``use_gpu=True`` runs the network on CUDA, or fails before any work when there is none.
        """
        device = resolve_device(use_gpu, owner="lac.cut")
        texts = _check_texts(text, "text")
        results = self._analyse(texts, _check_batch_size(batch_size), device)
        if isinstance(text, str):
            return results[0].words
        return [self._as_dict(r, return_tag) for r in results]

    def lexical_analysis(
        self,
        texts: Sequence[str] | None = None,
        data: dict[str, Sequence[str]] | None = None,
        use_gpu: bool = False,
        batch_size: int = 1,
        return_tag: bool = True,
    ) -> list[dict[str, list[Any]]]:
        """``[{"word": [...], "tag": [...]}]`` per text, plus ``"rank"`` in rank mode.

        ``data={"text": [...]}`` is accepted too, as PaddleHub's module did; ``use_gpu``
        as in :meth:`cut`.
        """
        device = resolve_device(use_gpu, owner="lac.lexical_analysis")
        if texts is None and data is not None:
            if not isinstance(data, dict) or "text" not in data:
                raise TypeError('data must be a dict with a "text" list')
            texts = data["text"]
        if texts is None:
            raise TypeError("lexical_analysis() needs texts=[...]")
        checked = _check_texts(texts, "texts")
        results = self._analyse(checked, _check_batch_size(batch_size), device)
        return [self._as_dict(r, return_tag) for r in results]

    def set_user_dict(self, dict_path: str | Path, sep: str | None = None) -> None:
        """Impose segmentation (and tags) from a user dictionary; see the README for its format."""
        self._lexer.user_dict = UserDict.load(dict_path, sep)

    def del_user_dict(self) -> None:
        """Drop the user dictionary: results are the model's own again."""
        self._lexer.user_dict = None

    def get_tags(self) -> dict[str, str]:
        """Tag -> meaning for the tags this mode outputs (none in seg mode)."""
        return {} if self.mode == "seg" else dict(TAG_MEANINGS)

    def get_ranks(self) -> dict[int, str]:
        """Rank level -> meaning (rank mode)."""
        return dict(RANK_MEANINGS)

    def context(self, trainable: bool = False, max_seq_len: int = 128) -> ModuleContext:
        """The pretrained embedding and BiGRU layers as a torch encoder, with a character tokenizer."""
        from hub_lac._torch_encoder import build_context

        model = "seg" if self.mode == "seg" else "lac"
        context = build_context(model, trainable=trainable, max_seq_len=max_seq_len)
        # How a saved fine-tuned task rebuilds this encoder in another process.
        context.extra["module"] = {
            "name": "lac",
            "kwargs": {"mode": self.mode},
            "context_kwargs": {"trainable": trainable, "max_seq_len": max_seq_len},
        }
        return context

    def _analyse(self, texts: list[str], batch_size: int, device: str = "cpu") -> list[Analysis]:
        out: list[Analysis] = []
        for start in range(0, len(texts), batch_size):
            out.extend(self._lexer.analyse(texts[start : start + batch_size], device))
        return out

    def _as_dict(self, result: Analysis, return_tag: bool) -> dict[str, list[Any]]:
        item: dict[str, list[Any]] = {"word": result.words}
        if return_tag and self.mode != "seg":
            item["tag"] = result.tags
        if self.mode == "rank":
            item["rank"] = result.ranks or []
        return item
