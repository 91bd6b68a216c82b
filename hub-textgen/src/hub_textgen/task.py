"""The ``language_model`` fine-tune task: next-character loss, perplexity as the metric.

    lm = hubcore.Module(name="textgen_lstm")
    context = lm.context(trainable=True)
    dataset = hubcore.load_component("dataset", "pyjokes_en")()        # or TextCorpusDataset(files)
    reader = LanguageModelReader(dataset, context.tokenizer)
    task = LanguageModelTask(context, reader, RunConfig(checkpoint_dir="ckpt", batch_size=128))
    task.finetune_and_eval()                   # best model by dev perplexity -> ckpt/best_model
    hubcore.load_task("ckpt").predict(["Why do programmers"])   # next-character predictions
    hubcore.Module(name="textgen_lstm", directory="ckpt").generate("Why do programmers")

Examples are built as textgenrnn's ``train_on_texts`` builds them, so fine-tuning here continues
the pretrained model on the objective it was trained with; the head starts from the pretrained
output layer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from hub_textgen.vocab import WINDOW, CharTokenizer
from hubcore import HubcoreError
from hubcore.finetune import BaseReader, BasicTask, InputExample, ModuleContext, RunConfig

TOP_K = 5


class LanguageModelReader(BaseReader):
    """Each text -> one example per scored token: ``input_ids`` (the 40-token window), ``labels`` (next id).

    The label list is the vocabulary (index 0, padding, is ``""``).  ``encode_texts`` (prediction)
    turns each text into the single window that predicts the character after it.
    """

    registered_name = "language_model"

    def __init__(
        self,
        dataset: Any = None,
        tokenizer: CharTokenizer | None = None,
        max_seq_len: int = WINDOW,
        label_list: Sequence[str] | None = None,
    ) -> None:
        if not isinstance(tokenizer, CharTokenizer):
            raise HubcoreError("LanguageModelReader needs the tokenizer of a textgen_lstm context")
        if max_seq_len != WINDOW:
            raise HubcoreError(f"textgen_lstm reads windows of {WINDOW} characters, not {max_seq_len}")
        super().__init__(dataset, tokenizer, WINDOW, label_list=list(tokenizer.vocab.id_to_char))
        self.vocab = tokenizer.vocab

    def encode(self, examples: Sequence[InputExample]) -> list[dict[str, Any]]:
        encoded = []
        for example in examples:
            for position in self.vocab.scored_positions(example.text_a):
                encoded.append({"input_ids": list(position.window), "labels": position.target})
        return encoded

    def encode_texts(self, data: Sequence[Any]) -> list[dict[str, Any]]:
        if isinstance(data, str):
            raise HubcoreError("predict() takes a list of texts; for one text pass [text]")
        encoded = []
        for index, text in enumerate(data):
            if not isinstance(text, str):
                raise HubcoreError(f"input {index}: expected a text, got {type(text).__name__}")
            encoded.append(self.tokenizer.encode(text, max_seq_len=WINDOW))  # type: ignore[union-attr]
        return encoded

    def collate_labels(self, labels: list[Any]) -> torch.Tensor:
        return torch.tensor(labels, dtype=torch.long)

    @classmethod
    def from_options(
        cls, tokenizer: Any, max_seq_len: int, label_list: list[str], options: dict[str, Any]
    ) -> BaseReader:
        reader = cls(None, tokenizer, max_seq_len=max_seq_len)
        if reader.label_list != list(label_list):
            raise HubcoreError("the saved model's vocabulary differs from this textgen_lstm's")
        return reader


class LanguageModelHead(nn.Module):
    """The softmax layer over the vocabulary, on the encoder's attention vector."""

    def __init__(self, features: int, vocab_size: int) -> None:
        super().__init__()
        self.output = nn.Linear(features, vocab_size)

    def forward(self, features: dict[str, torch.Tensor], batch: dict[str, Any]) -> dict[str, torch.Tensor]:
        logits = self.output(features["pooled_output"])
        outputs = {"logits": logits}
        if "labels" in batch:
            outputs["loss"] = torch.nn.functional.cross_entropy(logits, batch["labels"])
        return outputs


class LanguageModelTask(BasicTask):
    """Fine-tunes ``textgen_lstm`` on a text corpus; the best model has the lowest dev perplexity.

    Metrics: ``perplexity`` (exp of the mean next-token negative log-likelihood) and
    ``accuracy`` (how often the likeliest token is the right one).  ``predict(texts)`` returns,
    per text, the likeliest next character and the top five with their probabilities.
    """

    main_metric = "perplexity"
    greater_is_better = False

    def __init__(
        self,
        context: ModuleContext,
        reader: LanguageModelReader,
        config: RunConfig | None = None,
        *,
        module: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(context, reader, config, module=module)
        if not isinstance(reader, LanguageModelReader):
            raise HubcoreError(f"LanguageModelTask needs a LanguageModelReader, got {type(reader).__name__}")
        self.vocab = reader.vocab

    def build_head(self) -> nn.Module:
        head = LanguageModelHead(self.context.sentence_dim, self.vocab.size)
        pretrained = (self.context.extra or {}).get("output_layer")
        if pretrained is not None:
            head.output.load_state_dict(pretrained)
        return head

    def batch_predictions(self, outputs: dict[str, torch.Tensor], batch: dict[str, Any]) -> list[Any]:
        log_probs = torch.log_softmax(outputs["logits"].detach().float(), dim=-1)
        if "labels" in batch:
            picked = log_probs.gather(1, batch["labels"][:, None])[:, 0]
            return list(zip(picked.cpu().tolist(), log_probs.argmax(dim=-1).cpu().tolist(), strict=True))
        top = log_probs.exp().topk(TOP_K, dim=-1)
        return [
            list(zip(ids, values, strict=True))
            for ids, values in zip(top.indices.cpu().tolist(), top.values.cpu().tolist(), strict=True)
        ]

    def compute_metrics(self, predictions: list[Any], labels: list[Any]) -> dict[str, float]:
        if not predictions:
            return {"perplexity": float("nan"), "accuracy": float("nan")}
        nll = -sum(log_p for log_p, _ in predictions) / len(predictions)
        correct = sum(int(best == label) for (_, best), label in zip(predictions, labels, strict=True))
        return {"perplexity": math.exp(nll), "accuracy": correct / len(predictions)}

    def postprocess(self, prediction: Any) -> dict[str, Any]:
        top = [[self.vocab.id_to_char[i], p] for i, p in prediction]
        return {"next_char": top[0][0], "probability": top[0][1], "top_k": top}
