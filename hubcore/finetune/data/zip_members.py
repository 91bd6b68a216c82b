"""The zip half of :func:`hubcore.finetune.data.archives.extract_members` (PaddleNLP serves zips).

Same rules as for tar: the member count and the sizes members declare are bounded
before anything is written; only wanted file names are written, each to the path the
caller chose; absolute names, ``..`` and links are refused; and no member may
decompress to more than it declares (zipfile also checks each member's CRC).
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from hubcore.finetune.data.archives import ArchiveLimits


def extract_zip_members(archive: Path, wanted: dict[str, Path], limits: ArchiveLimits) -> set[str]:
    """Write the wanted members of the zip ``archive``; the names found are returned."""
    from hubcore.finetune.data.archives import ArchiveError

    found: set[str] = set()
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = bundle.infolist()
            if len(members) > limits.max_members:
                raise ArchiveError(f"{archive}: holds more than {limits.max_members} members; refused")
            if sum(max(m.file_size, 0) for m in members) > limits.max_bytes:
                raise ArchiveError(
                    f"{archive}: its members declare more than {limits.max_bytes} bytes unpacked; refused"
                )
            for member in members:
                name = PurePosixPath(member.filename)
                if name.name not in wanted or name.name in found or member.is_dir():
                    continue
                if name.is_absolute() or ".." in name.parts:
                    raise ArchiveError(
                        f"{archive}: member {member.filename!r} points outside the archive; refused"
                    )
                if stat.S_ISLNK(member.external_attr >> 16):
                    raise ArchiveError(f"{archive}: {member.filename} is a link; refused")
                _copy(bundle, member, wanted[name.name], archive)
                found.add(name.name)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise ArchiveError(f"{archive}: not a readable zip archive ({type(exc).__name__}: {exc})") from None
    return found


def _copy(bundle: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, archive: Path) -> None:
    from hubcore.finetune.data.archives import ArchiveError

    written = 0
    with bundle.open(member) as source, open(target, "wb") as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > member.file_size:
                raise ArchiveError(f"{archive}: {member.filename} is longer than its header says; refused")
            out.write(block)
        out.flush()
        os.fsync(out.fileno())
