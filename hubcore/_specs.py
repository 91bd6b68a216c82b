"""What a plugin registers: light descriptions that name code lazily."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from hubcore._patterns import ENTRY as _ENTRY
from hubcore._patterns import IDENTIFIER as _IDENTIFIER
from hubcore._patterns import MD5 as _MD5
from hubcore._patterns import NAME as _NAME
from hubcore._patterns import SHA256 as _SHA256

_SCALARS = (str, int, float, bool, type(None))


class SpecError(ValueError):
    """A registered spec is malformed."""


@dataclass(frozen=True)
class Asset:
    """A file a module needs, identified by its content rather than its address.

    ``sha256`` is the identity whenever it is known.  Some upstream files are only
    published with an MD5; such an asset gives ``sha256=""`` and ``md5``: the cache
    verifies the MD5 on arrival and then stores the file under the sha256 it computes.
    Giving both has both checked.  ``size`` 0 means "not published": the transfer is
    then bounded by the digest check alone, so prefer the real size when it is known.
    """

    name: str
    sha256: str
    size: int
    urls: tuple[str, ...] = ()
    license: str = ""
    md5: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name or "/" in self.name or self.name.startswith("."):
            raise SpecError(f"asset name {self.name!r} must be a plain file name")
        if not isinstance(self.sha256, str) or not isinstance(self.md5, str):
            raise SpecError(f"asset {self.name!r}: sha256 and md5 must be strings")
        if not self.sha256 and not self.md5:
            raise SpecError(f"asset {self.name!r}: give its sha256, or else the md5 its publisher gives")
        if self.sha256 and not _SHA256.match(self.sha256):
            raise SpecError(f"asset {self.name!r}: sha256 must be 64 lowercase hex digits")
        if self.md5 and not _MD5.match(self.md5):
            raise SpecError(f"asset {self.name!r}: md5 must be 32 lowercase hex digits")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise SpecError(
                f"asset {self.name!r}: size must not be negative: a whole number of bytes (0: unknown)"
            )
        object.__setattr__(self, "urls", tuple(self.urls))
        for url in self.urls:
            _check_source(url, self.name)

    @property
    def key(self) -> str:
        """What names its lock and partial download: the sha256, or ``md5-<md5>`` without one."""
        return self.sha256 or f"md5-{self.md5}"

    @property
    def digest_label(self) -> str:
        """The identity for messages, e.g. ``sha256 0123456789ab…`` or ``md5 fbb3217aeac7…``."""
        return f"sha256 {self.sha256[:12]}…" if self.sha256 else f"md5 {self.md5[:12]}…"


def _check_source(url: object, asset: str) -> None:
    """An asset source is a URL or ``pypi:DIST==VERSION/PATH`` (a member of a registry package)."""
    if not isinstance(url, str) or not url.strip():
        raise SpecError(f"asset {asset!r}: every URL must be a non-empty string, got {url!r}")
    from hubcore.hub._package import is_package_source, parse_package_source

    if is_package_source(url):
        try:
            parse_package_source(url)
        except ValueError as exc:
            raise SpecError(f"asset {asset!r}: {exc}") from None


@dataclass(frozen=True)
class ServingSpec:
    """How ``hubcore serving`` calls a module, so a plugin serves with no code in the core.

    A request ``POST /predict/<module>`` carries the JSON fields named in ``inputs``, each a
    list with one entry per input; the server merges the lists of concurrent requests and
    calls ``method`` (an attribute of the built module, looked up only when serving starts)
    once, with each field passed as the keyword ``inputs`` maps it to.  The method returns
    one JSON-ready result per input, in order.  Fields in ``images`` carry base64-encoded
    image files and reach the method as ``numpy`` arrays, RGB unless ``image_channels`` is
    ``"BGR"`` (for methods that take OpenCV's order, as PaddleHub's OCR did).  ``options`` are keywords a
    request may set with a JSON scalar (requests with different options are never merged);
    ``fixed`` keywords are always passed; ``batch_size_arg`` names the method's batch-size
    keyword, set to the merged batch's size.  ``max_batch_size`` and ``max_wait_ms`` are the
    plugin's batching defaults, which a server's config may override.
    """

    method: str
    inputs: Mapping[str, str]
    images: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    fixed: Mapping[str, Any] = field(default_factory=dict)
    batch_size_arg: str = ""
    max_batch_size: int = 32
    max_wait_ms: float = 5.0
    image_channels: str = "RGB"

    def __post_init__(self) -> None:
        where = f"serving method {self.method!r}"
        if not isinstance(self.method, str) or not _IDENTIFIER.match(self.method):
            raise SpecError(f"{where}: the method must be an attribute name of the module")
        if not isinstance(self.inputs, Mapping) or not self.inputs:
            raise SpecError(f"{where}: inputs must map at least one JSON field to a keyword")
        object.__setattr__(self, "inputs", dict(self.inputs))
        object.__setattr__(self, "fixed", dict(self.fixed))
        for name in ("images", "options"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        keywords = [*self.inputs.values(), *self.options, *self.fixed, *filter(None, [self.batch_size_arg])]
        for name in [*self.inputs, *keywords]:
            if not isinstance(name, str) or not _IDENTIFIER.match(name):
                raise SpecError(f"{where}: {name!r} is not a valid field or keyword name")
        if len(keywords) != len(set(keywords)):
            raise SpecError(
                f"{where}: a keyword appears twice among inputs, options, fixed and batch_size_arg"
            )
        stray = [name for name in self.images if name not in self.inputs]
        if stray:
            raise SpecError(f"{where}: image fields {stray} are not among the inputs")
        if self.image_channels not in ("RGB", "BGR"):
            raise SpecError(f"{where}: image_channels must be 'RGB' or 'BGR', not {self.image_channels!r}")
        clash = [name for name in self.options if name in self.inputs]
        if clash:
            raise SpecError(f"{where}: {clash} cannot be both an input field and an option")
        bad = [key for key, value in self.fixed.items() if not isinstance(value, _SCALARS)]
        if bad:
            raise SpecError(f"{where}: fixed keywords {bad} must be JSON scalars")
        if isinstance(self.max_batch_size, bool) or not isinstance(self.max_batch_size, int):
            raise SpecError(f"{where}: max_batch_size must be a whole number")
        if self.max_batch_size < 1 or not 0 <= self.max_wait_ms <= 60_000:
            raise SpecError(f"{where}: max_batch_size must be >= 1 and max_wait_ms within 0..60000")

    def __hash__(self) -> int:
        return hash(json.dumps(dataclasses.asdict(self), sort_keys=True))


@dataclass(frozen=True)
class ModuleSpec:
    """A pretrained module: everything the hub shows without importing the model.

    ``entry`` and ``command`` are ``"package.module:attribute"`` strings, imported
    only when the module is built or run, so listing stays fast.  ``requires_hubcore``
    is a version specifier (``">=0.2,<1"``): a module whose range excludes the running
    hubcore is not registered, and using it says why in one line.  The plugin's
    ``Requires-Dist: hubcore...`` gates the whole distribution; this gates one module.  ``serving`` says how
    ``hubcore serving`` calls the module (see :class:`ServingSpec`); it names the method
    by its attribute name, so nothing is imported until a server builds the module.
    """

    name: str
    version: str
    entry: str
    summary: str = ""
    author: str = ""
    type: str = ""
    aliases: tuple[str, ...] = ()
    command: str | None = None
    requires_hubcore: str = ""
    assets: tuple[Asset, ...] = ()
    keywords: tuple[str, ...] = ()
    license: str = ""
    plugin: str = ""
    serving: ServingSpec | None = None

    def __post_init__(self) -> None:
        _check_name(self.name, "module")
        if self.serving is not None and not isinstance(self.serving, ServingSpec):
            raise SpecError(f"module {self.name!r}: serving must be a ServingSpec")
        for alias in self.aliases:
            _check_name(alias, f"module {self.name!r} alias")
        try:
            Version(self.version)
        except InvalidVersion:
            raise SpecError(f"module {self.name!r}: version {self.version!r} is not PEP 440") from None
        _check_entry(self.entry, f"module {self.name!r} entry")
        if self.command is not None:
            _check_entry(self.command, f"module {self.name!r} command")
        try:
            SpecifierSet(self.requires_hubcore)
        except InvalidSpecifier:
            raise SpecError(
                f"module {self.name!r}: requires_hubcore {self.requires_hubcore!r} is not a version specifier"
            ) from None
        for name in ("aliases", "assets", "keywords"):
            object.__setattr__(self, name, tuple(getattr(self, name)))

    @property
    def names(self) -> tuple[str, ...]:
        """The name followed by the aliases."""
        return (self.name, *self.aliases)

    def with_plugin(self, plugin: str) -> ModuleSpec:
        """A copy that records which plugin registered it."""
        return dataclasses.replace(self, plugin=plugin)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of every field."""
        plain: dict[str, object] = _plain(dataclasses.asdict(self))
        return plain


@dataclass(frozen=True)
class ComponentSpec:
    """A data set, reader, task or strategy, named lazily like a module."""

    name: str
    entry: str
    summary: str = ""
    assets: tuple[Asset, ...] = field(default=())
    plugin: str = ""

    def __post_init__(self) -> None:
        _check_name(self.name, "component")
        _check_entry(self.entry, f"component {self.name!r} entry")
        object.__setattr__(self, "assets", tuple(self.assets))

    def with_plugin(self, plugin: str) -> ComponentSpec:
        """A copy that records which plugin registered it."""
        return dataclasses.replace(self, plugin=plugin)

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready view of every field."""
        plain: dict[str, object] = _plain(dataclasses.asdict(self))
        return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _check_name(name: str, what: str) -> None:
    if not isinstance(name, str) or not _NAME.match(name):
        raise SpecError(f"{what} name {name!r} must be lowercase letters, digits, '.', '_' or '-'")


def _check_entry(entry: str, what: str) -> None:
    if not isinstance(entry, str) or not _ENTRY.match(entry):
        raise SpecError(f"{what} {entry!r} must look like 'package.module:attribute'")
