"""LAC over a corpus that outgrows one machine: a Ray Data dataset mapped through a hub module.

Every Ray worker builds the module once (``hubcore.streaming.ModuleMapper``, importable on every
node that has hubcore) and then analyses whole batches of lines; the module's serving declaration
says which method and keyword to use, so the same mapper works for any module that can be served.

    python examples/ray_data_lac.py corpus.txt out_dir/                  # a local Ray on this machine
    python examples/ray_data_lac.py corpus.txt out_dir/ --address auto   # on a node of a running cluster
"""

from __future__ import annotations

import argparse

from hubcore.streaming import ModuleMapper


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
