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
