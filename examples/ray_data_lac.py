"""LAC over a corpus that outgrows one machine: a Ray Data dataset mapped through a hub module.

Every Ray worker builds the module once (``ModuleMapper.__init__``) and then analyses whole
batches of lines; the module's serving declaration says which method and keyword to use, so the
same mapper works for any module that can be served (``hubcore show NAME`` shows it).

    python examples/ray_data_lac.py corpus.txt out_dir/                  # a local Ray on this machine
    python examples/ray_data_lac.py corpus.txt out_dir/ --address auto   # on a node of a running cluster
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import hubcore


class ModuleMapper:
    """A Ray Data callable: a column of inputs in, a column of JSON results out, one call per batch."""

    def __init__(self, module: str, column: str = "text", **init_args: Any) -> None:
        serving = hubcore.get_module_spec(module).serving
        if serving is None or len(serving.inputs) != 1:
            raise hubcore.HubcoreError(f"module {module!r} declares no single-input serving method")
        self.column = column
        self.keyword = next(iter(serving.inputs.values()))
        self.extra = {**serving.fixed}
        self.batch_keyword = serving.batch_size_arg
        self.method = getattr(hubcore.Module(module, **init_args), serving.method)

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[Any]]:
        inputs = [str(value) for value in batch[self.column]]
        kwargs = {self.keyword: inputs, **self.extra}
        if self.batch_keyword:
            kwargs[self.batch_keyword] = len(inputs)
        results = self.method(**kwargs)
        return {self.column: inputs, "result": [json.dumps(r, ensure_ascii=False) for r in results]}


def analyse(source: str, target: str, module: str = "lac", workers: int = 2, batch_size: int = 256) -> None:
    """Read ``source`` (one text a line), map it through ``module``, write JSON lines to ``target``."""
    import ray

    dataset = ray.data.read_text(source)  # one row per line, in the column "text"
    mapped = dataset.map_batches(
        ModuleMapper,
        fn_constructor_args=(module,),
        batch_size=batch_size,
        concurrency=workers,
        batch_format="numpy",
    )
    mapped.write_json(target)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("target")
    parser.add_argument("--module", default="lac")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--address", default=None, help="a running cluster ('auto', ray://HOST:10001)")
    args = parser.parse_args()
    import ray

    ray.init(address=args.address)
    analyse(args.source, args.target, args.module, args.workers)


if __name__ == "__main__":
    main()
