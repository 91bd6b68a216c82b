"""use_data_parallel=True: two processes under torchrun (gloo on CPU), and the sampler's sharding."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from hubcore.finetune.training.sampler import ResumableSampler

DDP_SCRIPT = """
import hashlib, json, os, sys
import torch
torch.set_num_threads(1)
from hubcore.finetune import (
    AdamWeightDecayStrategy, ClassifyReader, RunConfig, TextClassificationDataset, TextClassifierTask,
)
from hubcore.testing.toy_modules import ToyTextModule

data, run, out = sys.argv[1], sys.argv[2], sys.argv[3]
context = ToyTextModule(seed=0).context(trainable=True, max_seq_len=48)
dataset = TextClassificationDataset(f"{data}/train.tsv", f"{data}/dev.tsv")
reader = ClassifyReader(dataset, context.tokenizer, 48)
config = RunConfig(
    num_epoch=2, batch_size=4, checkpoint_dir=run, strategy=AdamWeightDecayStrategy(learning_rate=3e-2),
    use_data_parallel=True, log_interval=1, eval_interval=2,
)
task = TextClassifierTask(context, reader, config, network="bow")
summary = task.finetune()
rank = int(os.environ["RANK"])
digest = hashlib.sha256(b"".join(t.detach().numpy().tobytes() for t in task.model.state_dict().values()))
with open(f"{out}/rank{rank}.json", "w") as handle:
    json.dump({"steps": summary["steps"], "digest": digest.hexdigest()}, handle)
"""


def test_two_processes_train_in_step_and_rank0_alone_writes(
    tmp_path: Path, sentiment_rows: Any, run_script: Any
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    for phase, count in (("train", 30), ("dev", 12)):
        lines = "".join(f"{t}\t{lab}\n" for t, lab in sentiment_rows[phase][:count])
        (data / f"{phase}.tsv").write_text("text_a\tlabel\n" + lines, encoding="utf-8")
    run, out = tmp_path / "run", tmp_path / "out"
    out.mkdir()
    run_script(DDP_SCRIPT, str(data), str(run), str(out), nproc=2)

    ranks = [json.loads((out / f"rank{r}.json").read_text()) for r in (0, 1)]
    # 30 examples over 2 ranks = 15 each, batches of 4 -> 4 steps an epoch
    assert ranks[0]["steps"] == ranks[1]["steps"] == 8
    assert ranks[0]["digest"] == ranks[1]["digest"]  # gradients were averaged: the replicas agree
    lines = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    starts = [line for line in lines if line["event"] == "start"]
    assert len(starts) == 1 and starts[0]["world_size"] == 2  # one writer
    assert [line["step"] for line in lines if line["event"] == "train"] == list(range(1, 9))
    assert [line["step"] for line in lines if line["event"] == "eval"] == [2, 4, 6, 8]
    state = torch.load(run / "step_00000008" / "state.pt", weights_only=True)
    assert state["world_size"] == 2 and len(state["rng"]) == 2  # every rank's RNG state is kept
    saved = load_file(run / "step_00000008" / "model.safetensors")
    assert set(saved) and not any(name.startswith("module.") for name in saved)  # unwrapped names
    assert (run / "best_model" / "task.json").is_file()


def _shards(n: int, world: int) -> list[list[int]]:
    shards = []
    for rank in range(world):
        sampler = ResumableSampler(n, 2, seed=5, rank=rank, world_size=world)
        sampler.start_epoch()
        shards.append([i for batch in sampler.batches() for i in batch])
    return shards


def test_sampler_shards_are_disjoint_and_cover_the_set() -> None:
    shards = _shards(12, 3)
    assert [len(s) for s in shards] == [4, 4, 4]
    assert sorted(i for s in shards for i in s) == list(range(12))  # disjoint and complete
    uneven = _shards(10, 3)  # padded to 12 by wrapping around: two examples are seen twice
    assert [len(s) for s in uneven] == [4, 4, 4]
    counts = Counter(i for s in uneven for i in s)
    assert set(counts) == set(range(10)) and sorted(counts.values()) == [1] * 8 + [2] * 2


def test_sampler_resume_skips_consumed_batches_and_reproduces_the_order() -> None:
    first = ResumableSampler(23, 4, seed=1)
    first.start_epoch()
    epoch0 = list(first.batches())
    saved = first.state_dict()
    first.start_epoch()
    epoch1 = list(first.batches())
    assert epoch0 != epoch1  # a new permutation each epoch

    again = ResumableSampler(23, 4, seed=1)
    again.load_state_dict(saved)
    again.start_epoch()
    assert list(again.batches(start=2)) == epoch0[2:]
    again.start_epoch()
    assert list(again.batches()) == epoch1
