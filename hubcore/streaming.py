"""Big input files at constant memory: lines read lazily, in batches, with a progress bar.

``hubcore run MODULE --input_file`` commands use :func:`text_batches`: the file is first checked
once for UTF-8 (so a bad byte is reported with its line before any output is written), then read
again a batch at a time, with a progress bar on stderr when stderr is a terminal.  Memory stays
that of one batch whatever the file's size.  Plugins use it the same way::

    from hubcore.streaming import text_batches

    for texts in text_batches(path, batch_size=64):
        for result in model.predict(texts):
            click.echo(result)
"""

from __future__ import annotations

import contextlib
import itertools
import sys
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any, TypeVar

from hubcore._errors import HubcoreError
from hubcore._module import Module, get_module_spec

T = TypeVar("T")


def count_utf8_lines(path: Path) -> int:
    """The number of lines, after checking every one decodes as UTF-8 (one line in memory at a time)."""
    return sum(1 for _ in _decoded_lines(path))


def iter_text_lines(path: Path) -> Iterator[str]:
    """Each line as text, without its line ending (and without a UTF-8 byte-order mark on the first)."""
    yield from _decoded_lines(path)


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of ``size`` items (the last may be shorter)."""
    if size < 1:
        raise ValueError(f"batch size must be at least 1, not {size}")
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def text_batches(path: Path, batch_size: int, *, progress: bool | None = None) -> Iterator[list[str]]:
    """The file's lines in batches, checked first; a progress bar on stderr (default: when a terminal)."""
    total = count_utf8_lines(path)
    show = sys.stderr.isatty() if progress is None else progress
    with _progress_bar(path.name, total, show) as advance:
        for chunk in batched(iter_text_lines(path), batch_size):
            yield chunk
            advance(len(chunk))


def listed_paths(list_file: Path) -> Iterator[str]:
    """The paths of a list file (PaddleHub's ``--input_file``): one a line, blank lines skipped.

    The whole file is checked for UTF-8 first (an error before any output), then read lazily.
    Each line is stripped of surrounding spaces; a relative path stays relative to the current
    directory, as PaddleHub's ``hub run ... --input_file`` took it.
    """
    count_utf8_lines(list_file)
    return (line.strip() for line in iter_text_lines(list_file) if line.strip())


def path_batches(paths: Iterable[str], list_file: Path | None, batch_size: int) -> Iterator[list[str]]:
    """``--input_path`` paths, then a list file's, in batches: memory stays that of one batch."""
    listed: Iterable[str] = listed_paths(list_file) if list_file is not None else ()
    return batched(itertools.chain(paths, listed), batch_size)


def json_array_chunks(items: Iterable[Any], indent: int = 2) -> Iterator[str]:
    """The text of ``json.dumps(list(items), ensure_ascii=False, indent=indent)``, one item at a time."""
    import json

    pad = " " * indent
    first = True
    for item in items:
        body = json.dumps(item, ensure_ascii=False, indent=indent).replace("\n", "\n" + pad)
        yield ("[\n" if first else ",\n") + pad + body
        first = False
    yield "[]" if first else "\n]"


@contextlib.contextmanager
def _progress_bar(name: str, total: int, show: bool) -> Iterator[Any]:
    if not show:
        yield lambda done: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=sys.stderr.isatty(),  # on a terminal it vanishes when done; elsewhere the last state stays
    ) as bar:
        task = bar.add_task(name, total=total)
        yield lambda done: bar.advance(task, done)


def _decoded_lines(path: Path) -> Iterator[str]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise HubcoreError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            line = raw[:-1] if raw.endswith(b"\n") else raw
            try:
                text = line.decode("utf-8").rstrip("\r")
            except UnicodeDecodeError as exc:
                raise HubcoreError(
                    f"{path}, line {number}: not valid UTF-8 (byte {exc.start + 1} of the line)"
                ) from None
            yield text.lstrip("\ufeff") if number == 1 else text


class ModuleMapper:
    """A module as a batch function: a column of inputs in, a column of JSON results out.

    Made for Ray Data's ``map_batches`` (each worker builds the module once, then maps whole
    batches) but plain Python: ``ModuleMapper("lac")({"text": ["..."]})``.  The module's
    serving declaration names the method, its input keyword and its batch-size keyword, so any
    servable module with one input field works.
    """

    def __init__(self, module: str, column: str = "text", **init_args: Any) -> None:
        serving = get_module_spec(module).serving
        if serving is None or len(serving.inputs) != 1 or serving.images:
            raise HubcoreError(f"module {module!r} declares no serving method with one non-image input")
        self.column = column
        self.keyword = next(iter(serving.inputs.values()))
        self.fixed = dict(serving.fixed)
        self.batch_size_arg = serving.batch_size_arg
        self.method = getattr(Module(module, **init_args), serving.method)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        import json

        inputs = [str(value) for value in batch[self.column]]
        kwargs: dict[str, Any] = {self.keyword: inputs, **self.fixed}
        if self.batch_size_arg:
            kwargs[self.batch_size_arg] = len(inputs)
        results = self.method(**kwargs)
        return {self.column: inputs, "result": [json.dumps(r, ensure_ascii=False) for r in results]}
