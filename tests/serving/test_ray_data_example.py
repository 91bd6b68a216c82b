"""examples/ray_data_lac.py, the README's Ray Data example, run on a local Ray it starts itself."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

import hubcore

ray = pytest.importorskip("ray")  # the `ray` extra is in the suite's environment (noxfile)

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ray_data_lac.py"


@pytest.mark.slow
def test_the_ray_data_example_maps_lac_over_a_file_like_the_module(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBCORE_OFFLINE", "1")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    texts = ["今天是个好日子", "百度是一家高科技公司", "我爱北京天安门"] * 7
    source = tmp_path / "corpus.txt"
    source.write_text("\n".join(texts) + "\n", encoding="utf-8")
    spec = importlib.util.spec_from_file_location("ray_data_lac", EXAMPLE)
    assert spec is not None and spec.loader is not None
    example = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(example)

    ray.init(
        address="local",
        _node_ip_address="127.0.0.1",
        num_cpus=4,
        include_dashboard=False,
        log_to_driver=False,
    )
    try:
        example.analyse(str(source), str(tmp_path / "out"), workers=2, batch_size=4)
    finally:
        ray.shutdown()

    rows = [
        json.loads(line)
        for path in sorted((tmp_path / "out").glob("*.json"))
        for line in path.read_text().splitlines()
    ]
    expected = {
        t: r for t, r in zip(texts, hubcore.Module(name="lac").lexical_analysis(texts=texts), strict=True)
    }
    assert len(rows) == len(texts)
    assert sorted(row["text"] for row in rows) == sorted(texts)
    for row in rows:
        assert json.loads(row["result"]) == expected[row["text"]]
