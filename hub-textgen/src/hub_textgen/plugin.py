"""Registers textgen_lstm, the language_model task and reader, and the pyjokes_en corpus (nothing heavy)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hub_textgen import __version__
from hubcore import ComponentSpec, ModuleSpec, ServingSpec, hookimpl


@hookimpl
def hubcore_register_modules(register: Callable[[Any], None]) -> None:
    register(
        ModuleSpec(
            name="textgen_lstm",
            version=__version__,
            entry="hub_textgen.module:TextgenLSTM",
            command="hub_textgen.cli:command",
            summary="textgenrnn's character LSTM language model: generate text, score perplexity, fine-tune.",
            author="hubcore developers (weights: Max Woolf, textgenrnn 2.0.0)",
            type="nlp/language_model",
            aliases=("textgenrnn", "lm_lstm"),
            requires_hubcore=">=0.1",
            keywords=("language model", "text generation", "lstm", "textgenrnn", "perplexity", "char-rnn"),
            license="Apache-2.0 (code); weights MIT (textgenrnn)",
            # {"text": [...]} -> PaddleHub lm_lstm's perplexity per text.
            serving=ServingSpec(method="perplexity", inputs={"text": "texts"}, batch_size_arg="batch_size"),
        )
    )


@hookimpl
def hubcore_register_tasks(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="language_model",
            entry="hub_textgen.task:LanguageModelTask",
            summary="Fine-tunes textgen_lstm on a text corpus: next-character loss, perplexity metric.",
        )
    )


@hookimpl
def hubcore_register_readers(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="language_model",
            entry="hub_textgen.task:LanguageModelReader",
            summary="Texts to (40-character window, next character) examples, as textgenrnn trains.",
        )
    )


@hookimpl
def hubcore_register_datasets(register: Callable[[Any], None]) -> None:
    register(
        ComponentSpec(
            name="pyjokes_en",
            entry="hub_textgen.corpus:PyJokesDataset",
            summary="The English one-liners pyjokes 0.8.3 ships (CC BY-SA 3.0 / BSD), split 80/10/10.",
        )
    )
