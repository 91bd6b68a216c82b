"""Sequence labelling with a CRF when the tokenizer adds special tokens ([CLS] ... [SEP])."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from hubcore.finetune import ModuleContext, RunConfig, SequenceLabelTask
from hubcore.finetune.tasks.sequence_label import _pack
from hubcore.testing.tokenizers import CharTokenizer
from hubcore.testing.toy_modules import ToyTextEncoder


def test_pack_moves_tagged_positions_left_in_order() -> None:
    logits = torch.arange(2 * 5 * 1, dtype=torch.float).view(2, 5, 1)
    keep = torch.tensor([[False, True, True, False, False], [False, True, False, True, True]])
    emissions, mask, index = _pack(logits, keep)
    assert emissions[0, :2, 0].tolist() == [1.0, 2.0] and emissions[1, :, 0].tolist() == [6.0, 8.0, 9.0]
    assert mask.tolist() == [[True, True, False], [True, True, True]]
    assert index[1].tolist() == [1, 3, 4]


def test_crf_ignores_special_tokens_in_loss_and_predictions(
    tmp_path: Path, seg_rows: Any, make_reader: Any, strategy: Any
) -> None:
    texts = [t for phase in seg_rows.values() for t, _ in phase[:40]]
    tokenizer = CharTokenizer.from_texts(["".join(t.split("\x02")) for t in texts], special_tokens=True)
    torch.manual_seed(0)
    encoder = ToyTextEncoder(len(tokenizer.vocab), 16, 16, 0.0)
    context = ModuleContext(
        encoder=encoder, tokenizer=tokenizer, sentence_dim=32, token_dim=32, max_seq_len=40
    )
    reader = make_reader("seq", context, limit=40)
    config = RunConfig(num_epoch=2, batch_size=8, checkpoint_dir=tmp_path / "run", strategy=strategy)
    task = SequenceLabelTask(context, reader, config, use_crf=True, dropout=0.0)

    batch = reader.collate(reader.encoded("dev")[:4])
    assert (batch["labels"][:, 0] == -100).all()  # [CLS] carries no tag
    task.model.eval()
    outputs = task.model(batch)
    # the loss equals the CRF's likelihood over the tagged characters alone, sequence by sequence
    expected = []
    for row in range(4):
        keep = batch["labels"][row] != -100
        emissions = outputs["logits"][row][keep].unsqueeze(0)
        tags = batch["labels"][row][keep].unsqueeze(0)
        expected.append(task.model.head.crf.neg_log_likelihood(emissions, tags, torch.ones_like(tags)))
    assert torch.allclose(outputs["loss"], torch.stack(expected).mean())

    summary = task.finetune_and_eval()
    assert summary["best_metric"] > 0.3
    predicted = task.predict(["我爱北京天安门", ["上", "海"]])
    assert [len(p) for p in predicted] == [7, 2]  # one tag per character, none for [CLS]/[SEP]
