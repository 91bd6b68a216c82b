"""hubcore.compat's PaddleHub spellings map onto the real objects, and refuse what they cannot honour."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
import torch

import hubcore
import hubcore.compat as hub
from hubcore import HubcoreError
from hubcore.finetune.strategies import combined as _strategies


@pytest.fixture(scope="module")
def lac() -> Any:
    return hub.Module(name="lac")


@pytest.fixture(scope="module")
def triple(lac: Any) -> Any:
    return lac.context(trainable=True, max_seq_len=16)


def test_module_forwards_the_real_methods_and_gives_the_triple(lac: Any, triple: Any) -> None:
    assert lac.cut("今天是个好日子") == ["今天", "是", "个", "好日子"]  # the real module's own method
    inputs, outputs, program = triple
    assert set(inputs) == {"input_ids", "position_ids", "segment_ids", "input_mask"}
    assert inputs["input_ids"].name == "input_ids"
    assert outputs["pooled_output"].shape == (-1, program.sentence_dim)
    assert outputs["sequence_output"].shape == (-1, 16, program.token_dim)
    assert outputs["pooled_output"].context is program and program.extra["module"]["name"] == "lac"
    assert lac.get_spm_path() is None and lac.get_word_dict_path() is None


def _dataset(tmp_path: Path) -> Any:
    (tmp_path / "train.tsv").write_text(
        "label\ttext_a\n1\t很好\n0\t很差\n1\t不错\n0\t太差\n", encoding="utf-8"
    )
    (tmp_path / "dev.tsv").write_text("label\ttext_a\n1\t好\n0\t差\n", encoding="utf-8")
    return hub.dataset.BaseNLPDataset(
        base_path=tmp_path, train_file="train.tsv", dev_file="dev.tsv", label_list=["0", "1"]
    )


def test_base_nlp_dataset_reads_paddlehub_layout(tmp_path: Path) -> None:
    dataset = _dataset(tmp_path)
    examples = dataset.get_train_examples()
    assert [(e.text_a, e.label) for e in examples[:2]] == [("很好", "1"), ("很差", "0")]
    assert dataset.num_labels == 2


def test_task_options_map_to_the_real_task(tmp_path: Path, triple: Any) -> None:
    inputs, outputs, _ = triple
    reader = hub.reader.ClassifyReader(dataset=_dataset(tmp_path), vocab_path=None, max_seq_len=16)
    config = hub.RunConfig(num_epoch=1, batch_size=2, checkpoint_dir=tmp_path / "ck")
    with pytest.warns(UserWarning, match="feed_list is ignored"):
        task = hub.TextClassifierTask(
            data_reader=reader,
            feature=outputs["pooled_output"],
            feed_list=[inputs["input_ids"].name],
            num_classes=2,
            config=config,
            hidden_units=[8, 4],
            metrics_choices=["f1", "acc"],
        )
    real = task.task
    assert isinstance(real, hubcore.TextClassifierTask) and real.main_metric == "f1"
    assert real.reader.max_seq_len == 16  # as the context was built
    wide = hub.reader.ClassifyReader(dataset=_dataset(tmp_path))  # PaddleHub's default 512
    assert wide.bind(triple[2]).max_seq_len == 16
    head = real.model.head
    widths = [m.out_features for m in head.hidden if isinstance(m, torch.nn.Linear)]
    assert widths == [8, 4] and head.linear.in_features == 4 and real.hparams["hidden_units"] == [8, 4]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"network": "transformer", "token_feature": "seq"}, "network 'transformer' is not one of bow, cnn"),
        ({"network": "gru", "feature": "pooled"}, "network= reads token_feature="),
        ({"feature": "seq"}, "must be the sentence-level"),
        ({"feature": "pooled", "metrics_choices": ["matthews"]}, "'matthews' are not computed here"),
        ({"feature": "pooled", "token_feature": "seq"}, "exactly one of feature="),
    ],
)
def test_text_classifier_refuses_what_it_cannot_do(
    tmp_path: Path, triple: Any, kwargs: dict[str, Any], message: str
) -> None:
    outputs = triple[1]
    named = {"pooled": outputs["pooled_output"], "seq": outputs["sequence_output"]}
    kwargs = {k: named.get(v, v) if isinstance(v, str) else v for k, v in kwargs.items()}
    with pytest.raises(HubcoreError, match=message):
        hub.TextClassifierTask(num_classes=2, dataset=_dataset(tmp_path), **kwargs)


@pytest.mark.slow
@pytest.mark.parametrize("network", ["gru", "lstm", "dpcnn"])
def test_paddlehubs_other_networks_train(tmp_path: Path, triple: Any, network: str) -> None:
    config = hub.RunConfig(num_epoch=1, batch_size=2, checkpoint_dir=tmp_path / "ck", progress=False)
    task = hub.TextClassifierTask(
        num_classes=2, dataset=_dataset(tmp_path), token_feature=triple[1]["sequence_output"],
        network=network, config=config,
    )  # fmt: skip
    head = task.task.model.head
    before = {k: v.clone() for k, v in head.network.state_dict().items()}
    task.finetune()
    assert head.network.kind == network and task.task.hparams["network"] == network
    assert any(not torch.equal(before[k], v) for k, v in head.network.state_dict().items())  # it trained
    assert [len(p) for p in task.task.predict_proba(["很好", "一个很长的句子，有好几个字"])] == [2, 2]


def test_sequence_label_task_add_crf_builds_a_crf(tmp_path: Path, triple: Any) -> None:
    (tmp_path / "train.tsv").write_text("text_a\tlabel\n王\002明\tB-PER\002I-PER\n", encoding="utf-8")
    dataset = hub.dataset.SeqLabelingDataset(
        tmp_path, train_file="train.tsv", label_list=["B-PER", "I-PER", "O"]
    )
    task = hub.SequenceLabelTask(
        feature=triple[1]["sequence_output"], max_seq_len=16, dataset=dataset, add_crf=True
    )
    assert task.task.use_crf and task.task.model.head.crf is not None and task.task.num_classes == 3


def test_runconfig_accepts_paddle_options_with_one_note(tmp_path: Path) -> None:
    with pytest.warns(UserWarning) as notes:
        config = hub.RunConfig(use_pyreader=True, enable_memory_optim=False, checkpoint_dir=tmp_path)
    assert isinstance(config, hubcore.RunConfig)
    said = [str(note.message) for note in notes]
    assert len(said) == 2 and "use_pyreader" in said[0] and "enable_memory_optim" in said[1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second time says nothing
        hub.RunConfig(use_pyreader=True, checkpoint_dir=tmp_path)
    with pytest.raises(HubcoreError, match="unexpected keyword"):
        hub.RunConfig(no_such_option=1)


def test_combined_strategy_translates_paddlehub_keys() -> None:
    strategy = hub.CombinedStrategy(
        learning_rate=1e-3,
        scheduler={
            "warmup": 0.1,
            "linear_decay": {"start_point": 0.1, "end_learning_rate": 0},
            "discriminative": {"blocks": 2, "factor": 2.0},
            "gradual_unfreeze": {"blocks": 3},
        },
        regularization={"L2": 0.0, "weight_decay": 0.01},
        clip={"GlobalNorm": 1.0},
    )
    assert isinstance(strategy, _strategies.CombinedStrategy)
    assert strategy.scheduler == {
        "warmup_proportion": 0.1,
        "decay": "linear",
        "discriminative": {"blocks": 2, "factor": 2.0},
        "gradual_unfreeze": {"blocks": 3},
    }
    assert strategy.regularization == {"weight_decay": 0.01} and strategy.clip == {"global_norm": 1.0}
    triangle = hub.CombinedStrategy(
        scheduler={"warmup": 0.1, "slanted_triangle": {"cut_fraction": 0.2, "ratio": 16}}
    )
    assert triangle.scheduler == {"decay": "slanted_triangular", "cut_fraction": 0.2, "ratio": 16.0}
    assert hub.CombinedStrategy(scheduler={"noam_decay": True, "warmup": 0.1}).scheduler["decay"] == "noam"
    assert hub.CombinedStrategy(regularization={"L2SP": 0.5}).regularization == {"l2sp": 0.5}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scheduler": {"cosine": 1}}, "unknown key"),
        ({"scheduler": {"linear_decay": {"start_point": 0.5}}}, "not offered"),
        ({"scheduler": {"discriminative": {"blocks": 2, "params_layer": {"a": 1}}}}, "params_layer"),
        ({"regularization": {"L1": 0.1}}, "unknown key 'L1'"),
        ({"clip": {"global_norm": 1.0}}, "unknown key 'global_norm'"),
    ],
)
def test_combined_strategy_refuses_unknown_or_unavailable_keys(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(HubcoreError, match=message):
        hub.CombinedStrategy(**kwargs)


def test_paddlehub_default_strategies_keep_paddlehub_defaults() -> None:
    assert hub.DefaultFinetuneStrategy().regularization == {"l2": 1e-3}
    assert hub.L2SPFinetuneStrategy().regularization == {"l2sp": 1e-3}
    with pytest.raises(HubcoreError, match="params_layer"):
        hub.ULMFiTStrategy(dis_params_layer={"x": 1})


def test_msra_ner_without_its_folder_says_how_to_provide_it(hub_home: Path) -> None:
    with pytest.raises(HubcoreError, match=r"publishes no checksum.*msra_ner\.tar\.gz"):
        hub.dataset.MSRA_NER()


class PaddleStyleTask(hub.BaseTask):
    def _build_net(self) -> Any:
        return None

    def _log_interval_event(self, run_states: Any) -> None:
        pass

    def _predict_start_event(self) -> None:
        pass


class HubcoreStyleTask(hub.BaseTask):
    main_metric = "loss"

    def build_head(self) -> torch.nn.Module:
        return torch.nn.Linear(1, 1)


def test_a_paddlehub_style_subclass_fails_at_construction_naming_the_new_methods(triple: Any) -> None:
    with pytest.raises(HubcoreError) as caught:
        PaddleStyleTask(triple[2], reader=None)
    message = str(caught.value)
    assert "overrides PaddleHub's _build_net, _log_interval_event, _predict_start_event" in message
    assert (
        "_build_net -> build_head()" in message and "_log_interval_event -> on_log(step, values)" in message
    )
    assert "_predict_start_event -> one of the events on_log" in message


def test_a_hubcore_style_subclass_of_basetask_builds(triple: Any) -> None:
    task = HubcoreStyleTask(triple[2], reader=hubcore.ClassifyReader(label_list=["neg", "pos"]))
    assert isinstance(task, hubcore.BasicTask) and hub.BasicTask is hub.BaseTask
    assert isinstance(task.model.head, torch.nn.Linear)


def test_multi_label_and_regression_tasks_map_to_the_real_ones(tmp_path: Path, triple: Any) -> None:
    pooled = triple[1]["pooled_output"]
    (tmp_path / "ml.tsv").write_text("text_a\tlabel\n很好\ta,b\n很差\tb\n", encoding="utf-8")
    multi = hubcore.MultiLabelDataset(tmp_path / "ml.tsv", label_list=["a", "b"])
    task = hub.MultiLabelClassifierTask(feature=pooled, dataset=multi, num_classes=2, hidden_units=[4])
    assert isinstance(task.task, hubcore.MultiLabelClassifierTask) and task.task.main_metric == "auc"
    assert task.task.reader.label_list == ["a", "b"] and task.task.hparams["hidden_units"] == [4]

    (tmp_path / "reg.tsv").write_text("text_a\tlabel\n很好\t0.9\n很差\t0.1\n", encoding="utf-8")
    numbers = hubcore.TextClassificationDataset(tmp_path / "reg.tsv", label_list=[])
    regression = hub.RegressionTask(feature=pooled, dataset=numbers, metrics_choices=["spearman"])
    assert isinstance(regression.task, hubcore.RegressionTask) and regression.task.main_metric == "spearman"
    assert regression.task.reader.regression is True
    with pytest.raises(HubcoreError, match="mse cannot be the main metric"):
        hub.RegressionTask(feature=pooled, dataset=numbers, metrics_choices=["mse"])
