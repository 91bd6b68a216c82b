"""ChnSentiCorp: the standard Chinese sentiment benchmark, fetched through the asset cache.

The archive (about 9,600 / 1,200 / 1,200 hotel, laptop and book reviews, labels
``0`` negative and ``1`` positive) is published at :data:`ARCHIVE_URL`.  Its MD5
and the MD5s of the three files inside are the ones PaddlePaddle publishes, and
every file read is checked against them, whatever way it arrived.  The asset cache
identifies files by sha256, which is pinned in :data:`ARCHIVE_SHA256` once known;
until then, and whenever the network is off (``HUBCORE_OFFLINE=1``), the error says
how to fetch the archive by hand and pass it as ``data_dir``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore._specs import Asset
from hubcore.finetune._datasets import DatasetFormatError, TextClassificationDataset

ARCHIVE_NAME = "chnsenticorp.tar.gz"
ARCHIVE_URL = "https://bj.bcebos.com/paddlehub-dataset/chnsenticorp.tar.gz"
ARCHIVE_MD5 = "fbb3217aeac76a2840d2d5cd19688b07"
ARCHIVE_SHA256: str | None = None  # not yet pinned: needs one download on a connected machine
ARCHIVE_SIZE = 0
FILE_MD5 = {
    "train": "689360c4a4a9ce8d8719ed500ae80907",
    "dev": "05e4b02561c2a327833e05bbe8156cec",
    "test": "917dfc6fbce596bb01a91abaa6c86f9e",
}
OWNER = "data set 'chnsenticorp'"


def archive_asset() -> Asset | None:
    """The archive as a cache asset, or None while its sha256 is not pinned."""
    if ARCHIVE_SHA256 is None:
        return None
    return Asset(name=ARCHIVE_NAME, sha256=ARCHIVE_SHA256, size=ARCHIVE_SIZE, urls=(ARCHIVE_URL,))


class ChnSentiCorp(TextClassificationDataset):
    """ChnSentiCorp, from ``data_dir`` or else from the hub's cache (downloading if allowed).

    ``data_dir`` is the downloaded archive, or a folder holding ``train.tsv``,
    ``dev.tsv`` and ``test.tsv`` (directly or in ``chnsenticorp/``).  The files
    have a ``label<TAB>text_a`` header; ``verify=False`` skips the MD5 check (for
    edited copies).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        folder = _cached_or_fetched() if data_dir is None else _locate(Path(data_dir), verify)
        files = {split: folder / f"{split}.tsv" for split in FILE_MD5}
        for split, path in files.items():
            if not path.is_file():
                raise DatasetFormatError(f"{path}: no such file (ChnSentiCorp's {split} split)")
            if verify:
                _check_md5(path, FILE_MD5[split])
        super().__init__(files["train"], files["dev"], files["test"], label_list=["0", "1"], header=True)


def _cache_folder() -> Path:
    from hubcore.hub import cache_dir

    home: Path = cache_dir()
    return home / "datasets" / "chnsenticorp"


def _locate(path: Path, verify: bool) -> Path:
    if path.is_file():
        if not verify:
            raise HubcoreError(f"{path}: unpack the archive and pass its folder to read it with verify=False")
        return _extract(path, _cache_folder())
    for folder in (path, path / "chnsenticorp"):
        if (folder / "train.tsv").is_file():
            return folder
    raise HubcoreError(
        f"{path}: neither the ChnSentiCorp archive nor a folder with train.tsv, dev.tsv, test.tsv"
    )


def _cached_or_fetched() -> Path:
    from hubcore.hub import fetch_asset, is_offline

    target = _cache_folder()
    if all((target / f"{split}.tsv").is_file() for split in FILE_MD5):
        return target
    manual = (
        f"download {ARCHIVE_URL} (md5 {ARCHIVE_MD5}) on a connected machine and pass its path: "
        "ChnSentiCorp(data_dir=PATH)"
    )
    asset = archive_asset()
    if asset is None:
        reason = "the network is off (HUBCORE_OFFLINE)" if is_offline() else "its sha256 is not pinned yet"
        raise HubcoreError(
            f"ChnSentiCorp is not in the cache {target} and cannot be fetched: {reason}; {manual}"
        )
    try:
        archive = fetch_asset(asset, owner=OWNER)
    except HubcoreError as exc:
        raise HubcoreError(f"ChnSentiCorp is not available: {exc}; or {manual}") from None
    return _extract(archive, target)


def _extract(archive: Path, target: Path) -> Path:
    """Unpack and verify the three TSVs in a temporary folder beside ``target``, then rename it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        try:
            with tarfile.open(archive, "r:*") as tar:
                for split in FILE_MD5:
                    member = _member(tar, f"{split}.tsv", archive)
                    source = tar.extractfile(member)
                    if source is None:
                        raise HubcoreError(f"{archive}: {member.name} is not a regular file")
                    with source, open(staging / f"{split}.tsv", "wb") as out:
                        shutil.copyfileobj(source, out)
                        out.flush()
                        os.fsync(out.fileno())
        except tarfile.TarError as exc:
            raise HubcoreError(f"{archive}: not a readable tar archive ({exc})") from None
        for split, expected in FILE_MD5.items():
            _check_md5(staging / f"{split}.tsv", expected)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _member(tar: tarfile.TarFile, file_name: str, archive: Path) -> tarfile.TarInfo:
    for member in tar.getmembers():
        if member.isfile() and Path(member.name).name == file_name:
            return member
    raise HubcoreError(f"{archive}: has no {file_name}")


def _check_md5(path: Path, expected: str) -> None:
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != expected:
        raise DatasetFormatError(
            f"{path}: md5 {digest.hexdigest()} differs from ChnSentiCorp's published {expected}; "
            "pass verify=False to read an edited copy"
        )
