"""Archives of data sets fetched through the asset cache (plain records: importing this is cheap).

Each comes with the MD5 its publisher gives, and where that was read; the asset cache
checks the MD5 on arrival (no sha256 or size is published, so it keys the stored file by
the sha256 it computes).
"""

from __future__ import annotations

from hubcore._specs import Asset

# URL and MD5: PaddleNLP's paddlenlp/datasets/nlpcc_dbqa.py (NLPCC_DBQA.URL / .MD5).
NLPCC_DBQA_ARCHIVE = Asset(
    name="nlpcc-dbqa.zip",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlenlp/datasets/nlpcc-dbqa.zip",),
    md5="a5f69c2462136ef4d1707e4e2551a57b",
)

# URL and MD5: PaddleNLP's paddlenlp/datasets/bq_corpus.py (BQCorpus.URL / .MD5).
BQ_ARCHIVE = Asset(
    name="bq_corpus.zip",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlenlp/datasets/bq_corpus.zip",),
    md5="abe6c480b96cb705b4d24bd522848009",
)


def _json(name: str, url: str, md5: str) -> Asset:
    return Asset(name=name, sha256="", size=0, urls=(url,), md5=md5)


# URLs and MD5s: PaddleNLP's paddlenlp/datasets/cmrc2018.py (SPLITS: file, md5, URL).
CMRC2018_FILES = {
    "train": _json(
        "cmrc2018_train.json",
        "https://bj.bcebos.com/paddlenlp/datasets/cmrc/cmrc2018_train.json",
        "7fb714b479c7f40fbb16acabd7af0ede",
    ),
    "dev": _json(
        "cmrc2018_dev.json",
        "https://bj.bcebos.com/paddlenlp/datasets/cmrc/cmrc2018_dev.json",
        "853b80709ff2d071f9fce196521b843c",
    ),
}

# URLs and MD5s: PaddleNLP's paddlenlp/datasets/drcd.py (SPLITS: file, md5, URL).
DRCD_FILES = {
    "train": _json(
        "DRCD_training.json",
        "https://paddlenlp.bj.bcebos.com/datasets/DRCD/DRCD_training.json",
        "bbeefc8ad7585ea3e4fef8c677e7643e",
    ),
    "dev": _json(
        "DRCD_dev.json",
        "https://paddlenlp.bj.bcebos.com/datasets/DRCD/DRCD_dev.json",
        "42c2f2bca84fc36cf65a86563b0540e6",
    ),
    "test": _json(
        "DRCD_test.json",
        "https://paddlenlp.bj.bcebos.com/datasets/DRCD/DRCD_test.json",
        "e36a295c1cb8c6b9fb28015907a42d9e",
    ),
}

# URL and MD5: PaddleNLP's paddlenlp/datasets/clue.py (BUILDER_CONFIGS["tnews"]).
TNEWS_ARCHIVE = Asset(
    name="tnews_public.zip",
    sha256="",
    size=0,
    urls=("https://storage.googleapis.com/cluebenchmark/tasks/tnews_public.zip",),
    md5="587171233c8e8db00a3dc9bae5d2b47d",
)

# URL and MD5: PaddleNLP's paddlenlp/datasets/clue.py (BUILDER_CONFIGS["iflytek"]); its
# iflytek.py publishes the same MD5 for its own mirror, paddlenlp.bj.bcebos.com/datasets/iflytek.tar.gz.
IFLYTEK_ARCHIVE = Asset(
    name="iflytek_public.zip",
    sha256="",
    size=0,
    urls=("https://storage.googleapis.com/cluebenchmark/tasks/iflytek_public.zip",),
    md5="19e4b19947db126f69aae18db0da2b87",
)

# URLs and MD5s: PaddleNLP's paddlenlp/datasets/xnli.py (SPLITS: url, zipfile_md5).
XNLI_TRAIN_ARCHIVE = Asset(
    name="XNLI-MT-1.0.zip",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlenlp/datasets/XNLI-MT-1.0.zip",),
    md5="fa3d8d6c3d1866cedc45680ba93c296e",
)
XNLI_EVAL_ARCHIVE = Asset(
    name="XNLI-1.0.zip",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlenlp/datasets/XNLI-1.0.zip",),
    md5="53393158739ec671c34f205efc7d1666",
)

# PaddlePaddle publishes this archive with its MD5 only (no sha256, no size): the asset
# cache checks the MD5 on arrival and keys the stored file by the sha256 it computes.
CHNSENTICORP_ARCHIVE = Asset(
    name="chnsenticorp.tar.gz",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlehub-dataset/chnsenticorp.tar.gz",),
    md5="fbb3217aeac76a2840d2d5cd19688b07",
)

# The same URL PaddleHub serves; the MD5 is the one PaddleNLP's LCQMC publishes for it.
LCQMC_ARCHIVE = Asset(
    name="lcqmc.tar.gz",
    sha256="",
    size=0,
    urls=("https://bj.bcebos.com/paddlehub-dataset/lcqmc.tar.gz",),
    md5="62a7ba36f786a82ae59bbde0b0a9af0c",
)
