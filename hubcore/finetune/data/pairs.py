"""NLPCC-DBQA and BQ: Chinese sentence-pair sets, from the archives PaddleNLP publishes with MD5s.

PaddleHub 1.x served both at ``bj.bcebos.com/paddlehub-dataset/`` but published no digest
for either, and this hub downloads nothing it cannot verify.  PaddleNLP serves the same
data sets as zips with the archive's and every split file's MD5 (sources below), so
those are the archives fetched here, through the asset cache and the safe extractor.

- NLPCC-DBQA (NLPCC 2016 document-based QA): ``nlpcc-dbqa/nlpcc-dbqa/{train,dev,test}.tsv``,
  a ``qid<TAB>text_a<TAB>text_b<TAB>label`` header then rows; label ``1`` when
  ``text_b`` answers the question ``text_a``.
- BQ (bank customer-service question pairs, same intent or not):
  ``bq_corpus/bq_corpus/{train,dev,test}.tsv``, headerless ``text_a<TAB>text_b<TAB>label``.
"""

from __future__ import annotations

import os

from hubcore.finetune.data.assets import BQ_ARCHIVE, NLPCC_DBQA_ARCHIVE
from hubcore.finetune.data.datasets import TextClassificationDataset
from hubcore.finetune.data.paddle_archives import TsvArchive

# Split MD5s: PaddleNLP's paddlenlp/datasets/nlpcc_dbqa.py (SPLITS), as the archive's MD5.
NLPCC_DBQA_FILES = TsvArchive(
    name="nlpcc_dbqa",
    title="NLPCC-DBQA",
    asset=NLPCC_DBQA_ARCHIVE,
    file_md5={
        "train": "4f84fefce1a8f52c8d9248d1ff5ab9bd",
        "dev": "3831beb0d42c29615d06343538538f53",
        "test": "e224351353b1f6a15837008b5d0da703",
    },
)
# Split MD5s: PaddleNLP's paddlenlp/datasets/bq_corpus.py (SPLITS), as the archive's MD5.
BQ_FILES = TsvArchive(
    name="bq",
    title="BQ",
    asset=BQ_ARCHIVE,
    file_md5={
        "train": "d37683e9ee778ee2f4326033b654adb9",
        "dev": "8a71f2a69453646921e9ee1aa457d1e4",
        "test": "c797995baa248b144ceaa4018b191e52",
    },
)


class NLPCCDBQA(TextClassificationDataset):
    """NLPCC-DBQA from ``data_dir`` (the zip, or its unpacked folder) or the hub's cache; labels 0/1."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        folder = NLPCC_DBQA_FILES.folder(data_dir, verify)
        files = {split: folder / f"{split}.tsv" for split in NLPCC_DBQA_FILES.file_md5}
        super().__init__(files["train"], files["dev"], files["test"], label_list=["0", "1"], header=True)


class BQ(TextClassificationDataset):
    """BQ from ``data_dir`` (the zip, or its unpacked folder) or the hub's cache; labels 0/1."""

    def __init__(self, data_dir: str | os.PathLike[str] | None = None, *, verify: bool = True) -> None:
        folder = BQ_FILES.folder(data_dir, verify)
        files = {split: folder / f"{split}.tsv" for split in BQ_FILES.file_md5}
        super().__init__(files["train"], files["dev"], files["test"], label_list=["0", "1"], header=False)
