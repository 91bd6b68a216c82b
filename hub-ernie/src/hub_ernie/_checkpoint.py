"""Find a checkpoint folder: a user's directory, a pip package, the Hugging Face cache, or the Hub.

Nothing here imports torch or transformers, so a missing checkpoint fails in well
under a second.  The network is used only when no local copy exists and neither
``HUBCORE_OFFLINE`` nor ``HF_HUB_OFFLINE`` is set, and every request has a timeout.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from hub_ernie._catalog import Checkpoint, package_checkpoint_dir
from hubcore import HubcoreError

# Seconds to wait for the Hub's metadata answer; file transfers use huggingface_hub's own
# read timeout (HF_HUB_DOWNLOAD_TIMEOUT, 10 s by default), so a dead network never hangs.
ETAG_TIMEOUT_S = 10.0
SUPPORTED_MODEL_TYPES = ("ernie", "bert")
WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
VOCAB_FILES = ("vocab.txt", "tokenizer.json")
# Only what loading needs: no TensorFlow/Flax/Paddle copies of the weights.
HUB_FILES = (
    "config.json",
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
    "model.safetensors",
    "pytorch_model.bin",
)


@dataclass(frozen=True)
class CheckpointDir:
    """A checked checkpoint folder and what its config says."""

    path: Path
    config: dict[str, object]
    weights: Path

    @property
    def model_type(self) -> str:
        return str(self.config["model_type"])


def offline() -> bool:
    """Whether the user asked hubcore or huggingface_hub never to touch the network."""
    return any(_truthy(os.environ.get(name, "")) for name in ("HUBCORE_OFFLINE", "HF_HUB_OFFLINE"))


def resolve(checkpoint: Checkpoint, directory: str | os.PathLike[str] | None = None) -> CheckpointDir:
    """The checked folder holding ``checkpoint``'s files, downloading them only if allowed."""
    if directory is not None:
        return inspect_directory(Path(directory))
    if checkpoint.package:
        found = package_checkpoint_dir(checkpoint)
        if found is None:
            raise HubcoreError(
                f"module {checkpoint.name!r} needs the pip package {checkpoint.package!r}; "
                f"install it, or pass directory=PATH to a copy of {checkpoint.repo_id}"
            )
        return inspect_directory(found)
    return inspect_directory(_from_hub(checkpoint))


def inspect_directory(path: Path) -> CheckpointDir:
    """Check that ``path`` holds a loadable checkpoint, saying precisely what is missing."""
    if not path.is_dir():
        raise HubcoreError(f"checkpoint directory {path} does not exist or is not a directory")
    config_path = path / "config.json"
    if not config_path.is_file():
        raise HubcoreError(
            f"{path} has no config.json; a checkpoint directory needs config.json, vocab.txt "
            "and model.safetensors, as save_pretrained() writes them"
        )
    try:
        config = json.loads(config_path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise HubcoreError(f"{config_path}, line {exc.lineno}: not valid JSON ({exc.msg})") from None
    if not isinstance(config, dict):
        raise HubcoreError(f"{config_path}: expected a JSON object, found {type(config).__name__}")
    model_type = config.get("model_type")
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise HubcoreError(
            f"{config_path}: field 'model_type' is {model_type!r}; hub-ernie loads "
            f"{' or '.join(repr(t) for t in SUPPORTED_MODEL_TYPES)}"
        )
    weights = next((path / name for name in WEIGHT_FILES if (path / name).is_file()), None)
    if weights is None:
        raise HubcoreError(f"{path} has no weights: expected one of {', '.join(WEIGHT_FILES)}")
    if not any((path / name).is_file() for name in VOCAB_FILES):
        raise HubcoreError(f"{path} has no vocabulary: expected one of {', '.join(VOCAB_FILES)}")
    return CheckpointDir(path=path, config=config, weights=weights)


def _from_hub(checkpoint: Checkpoint) -> Path:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled

    repo, revision, files = checkpoint.repo_id, checkpoint.revision, list(HUB_FILES)
    try:  # the cache first: never a network request
        return Path(snapshot_download(repo, revision=revision, allow_patterns=files, local_files_only=True))
    except (LocalEntryNotFoundError, OfflineModeIsEnabled, FileNotFoundError):
        pass
    if offline():
        raise HubcoreError(_how_to_provide(checkpoint, "offline mode is on (HUBCORE_OFFLINE/HF_HUB_OFFLINE)"))
    try:
        return Path(
            snapshot_download(repo, revision=revision, allow_patterns=files, etag_timeout=ETAG_TIMEOUT_S)
        )
    except (HfHubHTTPError, LocalEntryNotFoundError, OfflineModeIsEnabled, OSError) as exc:
        reason = (
            f"downloading it failed ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})"
        )
        raise HubcoreError(_how_to_provide(checkpoint, reason)) from exc


def _how_to_provide(checkpoint: Checkpoint, reason: str) -> str:
    return (
        f"module {checkpoint.name!r}: no local copy of {checkpoint.repo_id}@{checkpoint.revision} "
        f"and {reason}. "
        f"Either pass a local copy: hubcore.Module(name={checkpoint.name!r}, directory=PATH) "
        f"(or --directory PATH), or on a connected machine run "
        f"`hf download {checkpoint.repo_id} --revision {checkpoint.revision}` "
        "and copy its Hugging Face cache (HF_HOME) here"
    )


def _truthy(value: str) -> bool:
    return value.strip().lower() in {"1", "true", "yes", "on"}
