"""PaddleHub's TSV data-set archives: fetched through the asset cache, verified, unpacked safely.

One :class:`TsvArchive` describes an archive: its asset (PaddleHub's URL and the MD5
published for it), the MD5 of each split file inside, and the hub-home folder it is
unpacked into.  Unpacking streams the archive once through
:func:`hubcore.finetune.data.archives.extract_members` (bounded, no links, no names that
escape, a fixed file name for each split), checks every file's MD5 in a staging
folder and swaps the folder in; without network the error says how to bring the
archive over.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore._specs import Asset
from hubcore.finetune.data.archives import ArchiveLimits, check_digest, extract_members, md5_of, swap_in
from hubcore.finetune.data.files import DatasetFormatError

LIMITS = ArchiveLimits(max_members=1_000, max_bytes=1024 * 1024 * 1024)


@dataclass(frozen=True)
class TsvArchive:
    """A PaddleHub archive of ``train/dev/test.tsv`` files (see the module docstring)."""

    name: str  # the data set's registered name, and its folder under datasets/
    title: str  # as users know it, for messages
    asset: Asset
    file_md5: dict[str, str]  # split -> MD5 of ``{split}{suffix}``
    suffix: str = ".tsv"  # CLUE's archives hold ``{split}.json`` files

    def folder(self, data_dir: str | os.PathLike[str] | None, verify: bool = True) -> Path:
        """The folder holding the verified split files: ``data_dir`` (archive or folder) or the cache's."""
        if data_dir is None:
            return self._cached_or_fetched()
        path = Path(data_dir)
        if path.is_file():
            return self._extract(path)
        for folder in (path, path / self.name):
            if all((folder / f"{split}{self.suffix}").is_file() for split in self.file_md5):
                if verify:
                    for split, md5 in self.file_md5.items():
                        self._check(folder / f"{split}{self.suffix}", md5)
                return folder
        raise HubcoreError(f"{path}: neither the {self.title} archive nor a folder with its split files")

    def _target(self) -> Path:
        from hubcore.hub import dataset_dir

        folder: Path = dataset_dir(self.name)
        return folder

    def _verified(self, folder: Path) -> bool:
        try:
            return all(
                md5_of(folder / f"{split}{self.suffix}") == md5 for split, md5 in self.file_md5.items()
            )
        except OSError:
            return False

    def _cached_or_fetched(self) -> Path:
        from hubcore.hub import OfflineError, fetch_asset

        target = self._target()
        if self._verified(target):
            return target
        url = self.asset.urls[0]
        by_hand = f"download {url} (md5 {self.asset.md5}) and pass data_dir=PATH"
        try:
            archive = fetch_asset(self.asset, owner=f"dataset {self.name!r}")
        except OfflineError as exc:
            raise HubcoreError(f"{self.title} is not available: {exc}; or {by_hand}") from None
        except HubcoreError as exc:
            raise HubcoreError(
                f"{self.title} is not available: {exc}; without network, run `hubcore download {self.name} "
                f"--output DIR` on a connected machine and `hubcore cache import DIR` here, or {by_hand}"
            ) from None
        return self._extract(archive)

    def _extract(self, archive: Path) -> Path:
        from hubcore.hub import dataset_lock

        target = self._target()
        target.parent.mkdir(parents=True, exist_ok=True)
        with dataset_lock(self.name):
            staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
            try:
                check_digest(archive, md5=self.asset.md5, sha256=self.asset.sha256, owner=self.title)
                wanted = {
                    f"{split}{self.suffix}": staging / f"{split}{self.suffix}" for split in self.file_md5
                }
                extract_members(archive, wanted, LIMITS)
                for split, md5 in self.file_md5.items():
                    self._check(staging / f"{split}{self.suffix}", md5)
                swap_in(staging, target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
        return target

    def _check(self, path: Path, expected: str) -> None:
        actual = md5_of(path)
        if actual != expected:
            raise DatasetFormatError(
                f"{path}: md5 {actual} differs from {self.title}'s published {expected}; "
                "pass verify=False to read an edited copy"
            )
