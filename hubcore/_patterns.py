"""The shapes of digests and names, defined once for the specs, the index, the store and the CLI.

A digest or a name is checked in several places (a spec when registered, an index entry
when read, a file name in the cache, a command's argument); each check uses these, so
what one accepts the others accept too.
"""

from __future__ import annotations

import re

#: A sha256 in hex, as assets are stored under it: 64 lowercase hex digits.
SHA256 = re.compile(r"^[0-9a-f]{64}$")
#: An MD5 in hex, as some publishers give it: 32 lowercase hex digits.
MD5 = re.compile(r"^[0-9a-f]{32}$")
#: The start of a sha256 or MD5 a user types to pick cached content: 8 to 64 hex digits.
HEX_PREFIX = re.compile(r"^[0-9a-f]{8,64}$")

#: A module, alias, component or data-set name: lowercase, also safe as a folder name.
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
#: The name a new plugin is created under (``hubcore plugins new``): hub-NAME, hub_NAME.
PLUGIN_NAME = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")
#: A distribution name as PEP 508 allows it (no anchors: a part of larger patterns).
DISTRIBUTION = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"

#: A lazy ``"package.module:attribute"`` reference.
ENTRY = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$")
#: A Python identifier (a method or keyword name).
IDENTIFIER = re.compile(r"^[A-Za-z_]\w*$")

#: Control characters, dropped from text that came from a remote index or a plugin before it is shown.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
