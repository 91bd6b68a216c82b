"""``hub.RunConfig`` and the strategies under PaddleHub 1.x's names and keys."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hubcore._errors import HubcoreError
from hubcore.compat._notes import note_once
from hubcore.finetune import config as _config
from hubcore.finetune.strategies import combined as _combined
from hubcore.finetune.strategies import presets as _strategies

AdamWeightDecayStrategy = _strategies.AdamWeightDecayStrategy  # same keywords as PaddleHub's

# Paddle-only RunConfig options: they tune Paddle's executor, which is not here.
_PADDLE_ONLY = ("use_pyreader", "enable_memory_optim", "startup_program", "main_program")


def RunConfig(**kwargs: Any) -> _config.RunConfig:  # noqa: N802 - PaddleHub's spelling
    """hubcore's RunConfig, accepting PaddleHub's Paddle-only options with a one-time note."""
    for key in _PADDLE_ONLY:
        if key in kwargs:
            value = kwargs.pop(key)
            note_once(f"runconfig-{key}", f"RunConfig({key}={value!r}) tunes Paddle's executor; ignored")
    try:
        return _config.RunConfig(**kwargs)
    except TypeError as exc:
        raise HubcoreError(f"RunConfig: {exc}") from None


def DefaultFinetuneStrategy(  # noqa: N802
    learning_rate: float = 1e-4, optimizer_name: str = "adam", regularization_coeff: float = 1e-3
) -> _strategies.DefaultFinetuneStrategy:
    """PaddleHub's default: a plain optimiser with L2 of 1e-3."""
    return _strategies.DefaultFinetuneStrategy(learning_rate, optimizer_name, regularization_coeff)


def L2SPFinetuneStrategy(  # noqa: N802
    learning_rate: float = 1e-4, optimizer_name: str = "adam", regularization_coeff: float = 1e-3
) -> _strategies.L2SPFinetuneStrategy:
    """L2 towards the pretrained weights, PaddleHub's defaults."""
    return _strategies.L2SPFinetuneStrategy(learning_rate, optimizer_name, regularization_coeff)


def ULMFiTStrategy(  # noqa: N802
    learning_rate: float = 1e-4,
    optimizer_name: str = "adam",
    cut_fraction: float = 0.1,
    ratio: float = 32,
    dis_blocks: int = 3,
    factor: float = 2.6,
    dis_params_layer: Mapping[str, int] | None = None,
    frz_blocks: int = 3,
    frz_params_layer: Mapping[str, int] | None = None,
) -> _strategies.ULMFiTStrategy:
    """ULMFiT with PaddleHub's keywords; layer depths come from the module's context here."""
    _no_params_layer(dis_params_layer, frz_params_layer)
    return _strategies.ULMFiTStrategy(
        learning_rate,
        optimizer_name,
        cut_fraction=cut_fraction,
        ratio=float(ratio),
        dis_blocks=dis_blocks,
        factor=factor,
        frz_blocks=frz_blocks,
    )


def _no_params_layer(*values: Any) -> None:
    if any(value for value in values):
        raise HubcoreError(
            "params_layer is taken from the module's context (context.get_params_layer()) here; "
            "leave dis_params_layer / frz_params_layer / params_layer unset"
        )


def CombinedStrategy(  # noqa: N802
    optimizer_name: str = "adam",
    learning_rate: float = 1e-4,
    scheduler: Mapping[str, Any] | None = None,
    regularization: Mapping[str, Any] | None = None,
    clip: Mapping[str, Any] | None = None,
) -> _combined.CombinedStrategy:
    """PaddleHub's CombinedStrategy keys translated to hubcore's (an unknown key is an error).

    scheduler: ``warmup`` (proportion), ``linear_decay`` ({start_point, end_learning_rate}:
    decay to 0 starting where warm-up ends), ``noam_decay``, ``discriminative``
    ({blocks, factor}), ``gradual_unfreeze`` ({blocks}: unfrozen evenly over training
    rather than once per epoch), ``slanted_triangle`` ({cut_fraction, ratio}).
    regularization: ``L2``, ``L2SP``, ``weight_decay``.  clip: ``GlobalNorm``, ``Norm``.
    """
    return _combined.CombinedStrategy(
        optimizer_name,
        learning_rate,
        scheduler=translate_scheduler(scheduler or {}),
        regularization=_renamed("regularization", regularization or {}, _REGULARIZATION),
        clip=_renamed("clip", clip or {}, _CLIP),
    )


_REGULARIZATION = {"L2": "l2", "L2SP": "l2sp", "weight_decay": "weight_decay"}
_CLIP = {"GlobalNorm": "global_norm", "Norm": "norm"}
_SCHEDULER = (
    "warmup",
    "linear_decay",
    "noam_decay",
    "discriminative",
    "gradual_unfreeze",
    "slanted_triangle",
)


def _renamed(what: str, given: Mapping[str, Any], names: dict[str, str]) -> dict[str, Any]:
    out = {}
    for key, value in given.items():
        if key not in names:
            raise HubcoreError(
                f"CombinedStrategy {what}: unknown key {key!r} (PaddleHub's: {', '.join(names)})"
            )
        if value:
            out[names[key]] = float(value)
    return out


def _sub(key: str, value: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise HubcoreError(
            f"CombinedStrategy scheduler {key!r} must be a dict with keys {', '.join(allowed)}"
        )
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise HubcoreError(f"CombinedStrategy scheduler {key!r}: unknown key(s) {', '.join(unknown)}")
    if value.get("params_layer"):
        _no_params_layer(value["params_layer"])
    return dict(value)


def translate_scheduler(given: Mapping[str, Any]) -> dict[str, Any]:
    """PaddleHub's scheduler dict as hubcore's (see :func:`CombinedStrategy`)."""
    unknown = sorted(set(given) - set(_SCHEDULER))
    if unknown:
        raise HubcoreError(f"CombinedStrategy scheduler: unknown key(s) {', '.join(unknown)}")
    out: dict[str, Any] = {}
    warmup = float(given.get("warmup", 0.0))
    if warmup:
        out["warmup_proportion"] = warmup
    if "linear_decay" in given:
        linear = _sub("linear_decay", given["linear_decay"], ("start_point", "end_learning_rate"))
        start = float(linear.get("start_point", 1.0))
        if start < 1.0:
            if float(linear.get("end_learning_rate", 0.0)) != 0.0 or start > warmup:
                raise HubcoreError(
                    "CombinedStrategy linear_decay: hubcore decays linearly to 0 from the end of warm-up; "
                    f"start_point {start} after warmup {warmup} or a non-zero end_learning_rate "
                    "is not offered here"
                )
            out["decay"] = "linear"
    if given.get("noam_decay"):
        out["decay"] = "noam"  # PaddleHub too lets noam_decay win over linear_decay
    if "discriminative" in given:
        spec = _sub("discriminative", given["discriminative"], ("blocks", "params_layer", "factor"))
        if spec.get("blocks"):
            out["discriminative"] = {"blocks": int(spec["blocks"]), "factor": float(spec.get("factor", 2.6))}
    if "gradual_unfreeze" in given:
        spec = _sub("gradual_unfreeze", given["gradual_unfreeze"], ("blocks", "params_layer"))
        if spec.get("blocks"):
            out["gradual_unfreeze"] = {"blocks": int(spec["blocks"])}
    if "slanted_triangle" in given:
        spec = _sub("slanted_triangle", given["slanted_triangle"], ("cut_fraction", "ratio"))
        if spec.get("cut_fraction"):
            # PaddleHub: the triangle replaces warm-up and the other decays
            out.pop("warmup_proportion", None)
            out.update(
                decay="slanted_triangular",
                cut_fraction=float(spec["cut_fraction"]),
                ratio=float(spec.get("ratio", 32)),
            )
    return out
