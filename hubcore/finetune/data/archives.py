"""Reading data-set archives without trusting them: digest first, then bounded streaming.

A data set's archive is checked against its published digest *before* anything in it
is unpacked, when a digest is known.  It is then read as a stream, member by member,
with the number of members and the total size they declare bounded, so that a small
archive cannot fill the disk (or the memory, with millions of member headers).  Only
the members asked for are written, each to a file name the caller chose, so no name in
the archive decides where anything lands.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tarfile
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from hubcore.finetune.data.files import DatasetFormatError


class ArchiveError(DatasetFormatError):
    """An archive that is corrupt, unsafe, too big or not the published one."""


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may hold: members (headers) and the bytes they declare in all."""

    max_members: int = 10_000
    max_bytes: int = 1 << 30


def check_digest(archive: Path, *, md5: str = "", sha256: str = "", owner: str = "the data set") -> None:
    """Refuse ``archive`` unless it has the published digest(s); nothing is unpacked before this."""
    if not md5 and not sha256:
        return
    digests = {"md5": hashlib.md5(usedforsecurity=False), "sha256": hashlib.sha256()}
    try:
        with open(archive, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                for digest in digests.values():
                    digest.update(block)
    except OSError as exc:
        raise ArchiveError(f"{archive}: cannot read ({exc.strerror or exc})") from None
    for algorithm, expected in (("md5", md5), ("sha256", sha256)):
        actual = digests[algorithm].hexdigest()
        if expected and actual != expected:
            raise ArchiveError(
                f"{archive}: {algorithm} {actual} differs from {owner}'s published {expected}; "
                "not the published archive, so it was not unpacked"
            )


def extract_members(archive: Path, wanted: dict[str, Path], limits: ArchiveLimits) -> None:
    """Write the regular members whose file names are the keys of ``wanted`` to the paths given.

    The archive is streamed once; every member counts towards ``limits`` whether it is
    wanted or not, and the first member with a wanted name is the one taken.
    """
    import zipfile

    if zipfile.is_zipfile(archive):  # PaddleNLP's archives are zips
        from hubcore.finetune.data.zip_members import extract_zip_members

        _require_all(archive, wanted, extract_zip_members(archive, wanted, limits))
        return
    found: set[str] = set()
    members = 0
    declared = 0
    try:
        with tarfile.open(archive, "r|*") as tar:
            for member in tar:
                members += 1
                if members > limits.max_members:
                    raise ArchiveError(f"{archive}: holds more than {limits.max_members} members; refused")
                declared += max(member.size, 0)
                if declared > limits.max_bytes:
                    raise ArchiveError(
                        f"{archive}: its members declare more than {limits.max_bytes} bytes unpacked; refused"
                    )
                name = PurePosixPath(member.name)
                if name.name not in wanted or name.name in found:
                    continue
                if name.is_absolute() or ".." in name.parts:
                    raise ArchiveError(
                        f"{archive}: member {member.name!r} points outside the archive; refused"
                    )
                if not member.isfile():
                    raise ArchiveError(f"{archive}: {member.name} is not a regular file (a link?); refused")
                _copy_member(tar, member, wanted[name.name], archive)
                found.add(name.name)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise ArchiveError(f"{archive}: not a readable tar archive ({type(exc).__name__}: {exc})") from None
    _require_all(archive, wanted, found)


def _require_all(archive: Path, wanted: dict[str, Path], found: set[str]) -> None:
    missing = [name for name in wanted if name not in found]
    if missing:
        raise ArchiveError(f"{archive}: has no {missing[0]}")


def _copy_member(tar: tarfile.TarFile, member: tarfile.TarInfo, target: Path, archive: Path) -> None:
    source = tar.extractfile(member)
    if source is None:
        raise ArchiveError(f"{archive}: {member.name} is not a regular file")
    written = 0
    with source, open(target, "wb") as out:
        while block := source.read(1 << 20):
            written += len(block)
            if written > member.size:  # never more than the header declared (and was counted)
                raise ArchiveError(f"{archive}: {member.name} is longer than its header says; refused")
            out.write(block)
        out.flush()
        os.fsync(out.fileno())


def swap_in(staging: Path, target: Path) -> None:
    """Move the finished folder ``staging`` to ``target`` by renames: readers see old or new, never half."""
    old = target.with_name(f".{target.name}.old-{uuid.uuid4().hex}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    if os.name == "posix":  # make the renames durable
        fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    with contextlib.suppress(OSError):
        shutil.rmtree(old)


def md5_of(path: Path) -> str:
    """The MD5 a publisher gives for a file (an identity check, not security)."""
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
