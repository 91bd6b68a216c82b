"""ChnSentiCorp: the standard Chinese sentiment benchmark, fetched through the asset cache.

The archive (about 9,600 / 1,200 / 1,200 hotel, laptop and book reviews, labels
``0`` negative and ``1`` positive) is registered as the data set's asset with the
URL and MD5 PaddlePaddle publishes (:data:`ARCHIVE`); the hub's cache downloads it
where there is network and checks that MD5.  The three files inside are checked
against their own published MD5s whatever way they arrived, then unpacked into the
hub's home beside the cache, atomically.  Without network, the error says how to
bring the archive over by hand.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore._specs import Asset
from hubcore.finetune.data.archives import ArchiveLimits, check_digest, extract_members, md5_of, swap_in
from hubcore.finetune.data.assets import CHNSENTICORP_ARCHIVE
from hubcore.finetune.data.datasets import TextClassificationDataset
from hubcore.finetune.data.files import DatasetFormatError

ARCHIVE: Asset = CHNSENTICORP_ARCHIVE
ARCHIVE_NAME = ARCHIVE.name
ARCHIVE_URL = ARCHIVE.urls[0]
ARCHIVE_MD5 = ARCHIVE.md5
FILE_MD5 = {
    "train": "689360c4a4a9ce8d8719ed500ae80907",
    "dev": "05e4b02561c2a327833e05bbe8156cec",
    "test": "917dfc6fbce596bb01a91abaa6c86f9e",
}
OWNER = "dataset 'chnsenticorp'"
# The real archive holds 4 members and about 10 MB of text: a generous bound, far below harm.
LIMITS = ArchiveLimits(max_members=1_000, max_bytes=256 * 1024 * 1024)


class ChnSentiCorp(TextClassificationDataset):
    """ChnSentiCorp, from ``data_dir`` or else from the hub's cache (downloading if allowed).

    ``data_dir`` is the downloaded archive, or a folder holding ``train.tsv``,
    ``dev.tsv`` and ``test.tsv`` (directly or in ``chnsenticorp/``).  The files
    have a ``label<TAB>text_a`` header; ``verify=False`` skips the MD5 check of a
    folder (for edited copies).
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        if data_dir is None:
            folder, unchecked = _cached_or_fetched(), False
        else:
            folder, unchecked = _locate(Path(data_dir), verify), Path(data_dir).is_dir()
        files = {split: folder / f"{split}.tsv" for split in FILE_MD5}
        for split, path in files.items():
            if not path.is_file():
                raise DatasetFormatError(f"{path}: no such file (ChnSentiCorp's {split} split)")
            if verify and unchecked:  # what was unpacked here was checked on the way
                _check_md5(path, FILE_MD5[split])
        super().__init__(files["train"], files["dev"], files["test"], label_list=["0", "1"], header=True)


def _cache_folder() -> Path:
    from hubcore.hub import dataset_dir

    folder: Path = dataset_dir("chnsenticorp")
    return folder


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
    """The unpacked, verified files; the archive comes from the asset cache, downloaded if allowed."""
    from hubcore.hub import OfflineError, fetch_asset

    target = _cache_folder()
    if _verified(target):
        return target
    by_hand = f"download {ARCHIVE_URL} (md5 {ARCHIVE_MD5}) and pass ChnSentiCorp(data_dir=PATH)"
    try:
        archive = fetch_asset(ARCHIVE, owner=OWNER)
    except OfflineError as exc:  # already says how to bring it over with the hub
        raise HubcoreError(f"ChnSentiCorp is not available: {exc}; or {by_hand}") from None
    except HubcoreError as exc:
        raise HubcoreError(
            f"ChnSentiCorp is not available: {exc}; without network, run `hubcore download chnsenticorp "
            f"--output DIR` on a connected machine, copy DIR here and run `hubcore cache import DIR`, "
            f"or {by_hand}"
        ) from None
    return _extract(archive, target)


def _verified(folder: Path) -> bool:
    try:
        return all(md5_of(folder / f"{split}.tsv") == md5 for split, md5 in FILE_MD5.items())
    except OSError:
        return False


def _extract(archive: Path, target: Path) -> Path:
    """Unpack and verify the three TSVs in a folder beside ``target``, then swap it in.

    Only the contents of three regular members are read, each into a fixed file name,
    so no name in the archive decides where anything is written.  Concurrent
    unpackers are serialised by a lock; readers see the old folder or the new one.
    """
    from hubcore.hub import dataset_lock

    target.parent.mkdir(parents=True, exist_ok=True)
    with dataset_lock("chnsenticorp"):
        staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
        try:
            _unpack_splits(archive, staging)
            for split, expected in FILE_MD5.items():
                _check_md5(staging / f"{split}.tsv", expected)
            swap_in(staging, target)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return target


def _unpack_splits(archive: Path, staging: Path) -> None:
    """The three splits into ``staging``, the archive's published MD5 checked before anything is read."""
    check_digest(archive, md5=ARCHIVE.md5, sha256=ARCHIVE.sha256, owner="ChnSentiCorp")
    extract_members(archive, {f"{split}.tsv": staging / f"{split}.tsv" for split in FILE_MD5}, LIMITS)


def _check_md5(path: Path, expected: str) -> None:
    actual = md5_of(path)
    if actual != expected:
        raise DatasetFormatError(
            f"{path}: md5 {actual} differs from ChnSentiCorp's published {expected}; "
            "pass verify=False to read an edited copy"
        )
