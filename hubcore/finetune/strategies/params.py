"""Which parameters a strategy treats how: depth by layer, and what weight decay skips."""

from __future__ import annotations

from collections.abc import Mapping

import torch

from hubcore._errors import HubcoreError

_NORM_TYPES: tuple[type[torch.nn.Module], ...] = (
    torch.nn.LayerNorm,
    torch.nn.GroupNorm,
    torch.nn.LocalResponseNorm,
    torch.nn.modules.batchnorm._NormBase,
)


def depths(model: torch.nn.Module, params_layer: Mapping[str, int] | None) -> tuple[dict[str, int], int]:
    """Depth of every named parameter of ``model``, and the top depth (the task head's).

    ``params_layer`` maps ``model``'s own parameter names to depth (0 = embeddings), exactly:
    a name that ``model`` lacks is an error, never matched by suffix, so that a head's
    parameter cannot be taken for an encoder's of a similar name.  Parameters absent from
    it form the head, one level above the deepest layer.
    """
    names = [name for name, _ in model.named_parameters()]
    if not params_layer:
        return dict.fromkeys(names, 0), 0
    known = set(names)
    resolved: dict[str, int] = {}
    for key, depth in params_layer.items():
        if depth < 0:
            raise HubcoreError(f"params_layer gives {key!r} a negative depth {depth}")
        if key not in known:
            raise HubcoreError(
                f"params_layer names {key!r}, which is not a parameter of the {type(model).__name__} being "
                "optimised; names are the model's own (inside a task model, an encoder's parameters are "
                "'encoder.<name>': ModuleContext.get_params_layer(prefix='encoder.') gives them)"
            )
        resolved[key] = int(depth)
    top = max(resolved.values()) + 1
    return {name: resolved.get(name, top) for name in names}, top


def block_of(depth: int, top: int, blocks: int | None) -> int:
    """Block index counted from the top (0 = the head's block) for layer-wise rates and unfreezing.

    ``blocks=None`` gives every depth its own block; otherwise the ``top + 1``
    depths are cut into ``blocks`` nearly equal runs of consecutive depths.
    """
    levels = top + 1
    if blocks is None or blocks >= levels:
        return top - depth
    if blocks < 1:
        raise HubcoreError(f"the number of blocks must be at least 1, not {blocks}")
    return (top - depth) * blocks // levels


def no_decay_names(model: torch.nn.Module) -> set[str]:
    """Parameters weight decay must skip: biases and the weights of normalisation layers.

    Decaying them pulls a layer's offset or scale towards 0, which regularises nothing
    useful and hurts fine-tuning (BERT's recipe).

    Normalisation layers are found by type (LayerNorm, GroupNorm, BatchNorm, ...),
    by a class name ending in ``Norm`` (RMSNorm and home-made ones), or by a module
    name containing ``norm``.
    """
    skipped: set[str] = set()
    for module_name, module in model.named_modules():
        is_norm = (
            isinstance(module, _NORM_TYPES)
            or type(module).__name__.endswith("Norm")
            or "norm" in module_name.rsplit(".", 1)[-1].lower()
        )
        for param_name, _ in module.named_parameters(recurse=False):
            full = f"{module_name}.{param_name}" if module_name else param_name
            if is_norm or _is_bias(param_name):
                skipped.add(full)
    return skipped


def _is_bias(param_name: str) -> bool:
    # "bias", and the biases of recurrent layers ("bias_ih_l0") and custom ones ("attn_bias")
    return param_name == "bias" or param_name.startswith("bias_") or param_name.endswith("_bias")
