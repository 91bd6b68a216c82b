"""Helpers for testing hubcore plugins, shipped with hubcore so plugin authors can use them.

- :class:`ToyTextModule` / :class:`ToyImageModule`: tiny random modules with a
  ``context()``, for exercising a task, reader or strategy in seconds on a CPU.
- :class:`CharTokenizer` / :class:`HashCharTokenizer`: character tokenizers that
  satisfy :class:`hubcore.Tokenizer`.
- :func:`plugin_host`: a registry with only the built-ins, the plugin objects you pass
  and the installed distributions you name, whatever else is installed.
- :func:`heavy_imports_at_registration` / :func:`assert_light_registration`: the check
  the hub makes of its own plugins, that registering imports no heavy library.

Importing this package is cheap; the toy modules import torch on first use.
"""

from __future__ import annotations

from hubcore._lazy import lazy_getattr

_EXPORTS: dict[str, str] = {
    "CharTokenizer": ".tokenizers",
    "HEAVY_MODULES": ".registration",
    "HashCharTokenizer": ".toy_modules",
    "ToyImageModule": ".toy_modules",
    "ToyTextModule": ".toy_modules",
    "assert_light_registration": ".registration",
    "heavy_imports_at_registration": ".registration",
    "plugin_host": ".host",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
