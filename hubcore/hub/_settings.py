"""Settings kept in a file under the hub's home, below the environment.

``hubcore config set offline true`` writes ``config.json`` in the hub's home; each
setting is read from its environment variable when that is set, else from the file,
else its default, so a shell, a CI job or a test can still override anything for one
run.  The hub's home itself (``HUBCORE_HOME``) is only an environment variable: the
file lives inside it.  Writes go to a temporary file renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hubcore._errors import HubcoreError

CONFIG_NAME = "config.json"
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Setting:
    """One setting: its key in the file, its environment variable, its kind and default."""

    key: str
    variable: str
    kind: str  # "bool", "seconds" or "text"
    default: str
    help: str


SETTINGS = (
    Setting("offline", "HUBCORE_OFFLINE", "bool", "false", "never touch the network"),
    Setting("index_url", "HUBCORE_INDEX_URL", "text", "", "a remote module index (bundled one as fallback)"),
    Setting("connect_timeout", "HUBCORE_CONNECT_TIMEOUT", "seconds", "10", "seconds to connect"),
    Setting("read_timeout", "HUBCORE_READ_TIMEOUT", "seconds", "30", "seconds to wait for the next bytes"),
    Setting(
        "download_deadline", "HUBCORE_DOWNLOAD_DEADLINE", "seconds", "300", "seconds one transfer may take"
    ),
    Setting("index_deadline", "HUBCORE_INDEX_DEADLINE", "seconds", "20", "seconds an index fetch may take"),
    Setting("index_ttl", "HUBCORE_INDEX_TTL", "seconds", "86400", "seconds a fetched index is trusted"),
)
BY_KEY = {setting.key: setting for setting in SETTINGS}
BY_VARIABLE = {setting.variable: setting for setting in SETTINGS}
ALIASES = {"server": "index_url"}  # PaddleHub's `hub config server==URL`


def config_path() -> Path:
    """``config.json`` in the hub's home."""
    from hubcore.hub._config import cache_dir

    return cache_dir() / CONFIG_NAME


def read_file() -> dict[str, str]:
    """The file's settings (empty when there is no file); a damaged file is a one-line error."""
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise HubcoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise HubcoreError(
            f"{path} is not valid JSON ({exc}); fix it or run `hubcore config reset`"
        ) from None
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise HubcoreError(f"{path} must hold one JSON object of strings; run `hubcore config reset`")
    unknown = sorted(set(data) - set(BY_KEY))
    if unknown:
        raise HubcoreError(f"{path}: unknown setting(s) {', '.join(unknown)}; run `hubcore config reset`")
    return data


def raw_value(variable: str) -> str:
    """What a setting's environment variable says, else the file, else '' (the caller's default)."""
    from_env = os.environ.get(variable, "").strip()
    if from_env:
        return from_env
    setting = BY_VARIABLE.get(variable)
    if setting is None:
        return ""
    return read_file().get(setting.key, "").strip()


def resolve_key(key: str) -> Setting:
    """The setting a user's key names (``offline``, ``HUBCORE_OFFLINE`` and PaddleHub's aliases too)."""
    name = key.strip()
    name = ALIASES.get(name, name)
    setting = BY_KEY.get(name.lower()) or BY_VARIABLE.get(name.upper())
    if setting is None:
        raise HubcoreError(f"unknown setting {key!r}: one of {', '.join(BY_KEY)}")
    return setting


def normalise(setting: Setting, value: str) -> str:
    """The value as the file keeps it, or an error saying what the setting takes."""
    text = value.strip()
    if setting.kind == "bool":
        if text.lower() in _TRUE:
            return "true"
        if text.lower() in _FALSE:
            return "false"
        raise HubcoreError(f"{setting.key} takes true or false, not {value!r}")
    if setting.kind == "seconds":
        try:
            number = float(text)
        except ValueError:
            raise HubcoreError(f"{setting.key} takes a number of seconds, not {value!r}") from None
        if number != number or number < 0 or (number == 0 and setting.key != "index_ttl"):
            raise HubcoreError(f"{setting.key} must be a positive number of seconds, not {value!r}")
        return text
    return text


def write_file(values: dict[str, str]) -> Path:
    """Replace the file with ``values`` atomically (no file at all when empty)."""
    path = config_path()
    if not values:
        path.unlink(missing_ok=True)
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".config.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(dict(sorted(values.items())), out, indent=2)
            out.write("\n")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


@dataclass(frozen=True)
class Shown:
    """One row of `hubcore config`: the value in effect and where it came from."""

    key: str
    value: str
    source: str  # "environment (VAR)", "config file" or "default"
    help: str


def effective() -> list[Shown]:
    """Every setting's value in effect, and its source."""
    stored = read_file()
    rows = []
    for setting in SETTINGS:
        from_env = os.environ.get(setting.variable, "").strip()
        if from_env:
            rows.append(Shown(setting.key, from_env, f"environment ({setting.variable})", setting.help))
        elif setting.key in stored:
            rows.append(Shown(setting.key, stored[setting.key], "config file", setting.help))
        else:
            rows.append(Shown(setting.key, setting.default, "default", setting.help))
    return rows
