"""PaddleHub Serving's config shape, the -m options merged in, and ServingSpec's checks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from hubcore import ModuleSpec, ServingSpec, SpecError
from hubcore.serving._config import ServingConfig, ServingConfigError, config_from_options, load_config

PADDLEHUB_CONFIG = {
    "modules_info": {
        "lac": {"init_args": {"version": "0.1.0"}, "predict_args": {"batch_size": 1, "use_gpu": False}},
        "yolov3_tiny": {
            "init_args": {"input_size": 320},
            "predict_args": {"score_thresh": 0.3},
            "batching": {"max_batch_size": 4, "max_wait_ms": 15, "max_queue": 32},
            "ray": {"num_replicas": 2},
        },
    },
    "port": 8870,
    "use_multiprocess": True,
    "workers": 3,
}


def test_a_paddlehub_config_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    path.write_text(json.dumps(PADDLEHUB_CONFIG), encoding="utf-8")
    config = load_config(path)
    assert (config.port, config.workers, config.host) == (8870, 3, "127.0.0.1")
    lac, yolo = config.modules
    assert (lac.name, lac.version, lac.build_args, lac.call_args) == ("lac", "0.1.0", {}, {})
    assert yolo.build_args == {"input_size": 320} and yolo.call_args == {"score_thresh": 0.3}
    assert (yolo.batching.max_batch_size, yolo.batching.max_wait_ms, yolo.batching.max_queue) == (4, 15, 32)
    assert yolo.ray == {"num_replicas": 2}
    assert ServingConfig.from_json(config.to_json()) == config


def test_workers_count_only_with_use_multiprocess(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    path.write_text(json.dumps({**PADDLEHUB_CONFIG, "use_multiprocess": False}), encoding="utf-8")
    assert load_config(path).workers == 1


def test_command_line_modules_join_the_config_and_options_override(tmp_path: Path) -> None:
    path = tmp_path / "serving.json"
    path.write_text(json.dumps(PADDLEHUB_CONFIG), encoding="utf-8")
    merged = config_from_options(
        ("lac", "ernie==0.1.0"), port=9000, host="0.0.0.0", workers=2, base=load_config(path)
    )
    assert [m.name for m in merged.modules] == ["lac", "yolov3_tiny", "ernie"]
    assert merged.modules[2].version == "0.1.0"
    assert (merged.port, merged.host, merged.workers) == (9000, "0.0.0.0", 2)


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"modules_info": {}}, "nothing to serve"),
        ({"modules_info": {"lac": {}}, "prot": 1}, "unknown keys ['prot']"),
        ({"modules_info": {"lac": {"init": {}}}}, "modules_info.lac: unknown keys ['init']"),
        ({"modules_info": {"lac": {"batching": {"max_batch_size": 0}}}}, "max_batch_size must be"),
        ({"modules_info": {"lac": {"batching": {"size": 3}}}}, "batching: unknown keys ['size']"),
        ({"modules_info": {"lac": {"predict_args": []}}}, "predict_args must be an object"),
        ({"modules_info": {"lac": {}}, "port": 70000}, "port must be"),
        ({"modules_info": {"lac": {}}, "timeout_s": 0}, "timeout_s must be"),
    ],
)
def test_a_bad_config_is_refused_with_its_reason(tmp_path: Path, data: dict, fragment: str) -> None:
    path = tmp_path / "serving.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ServingConfigError, match=None) as raised:
        load_config(path)
    assert fragment in str(raised.value)


def test_serving_spec_is_checked_and_shown_in_the_module_spec() -> None:
    serving = ServingSpec(method="predict", inputs={"text": "texts"}, options=("tag",), fixed={"flag": True})
    spec = ModuleSpec(name="m", version="1.0", entry="m:M", serving=serving)
    assert spec.to_dict()["serving"]["inputs"] == {"text": "texts"}
    assert hash(serving) == hash(
        ServingSpec(method="predict", inputs={"text": "texts"}, options=["tag"], fixed={"flag": True})
    )
    for bad, fragment in [
        ({"method": "not a name", "inputs": {"t": "t"}}, "attribute name"),
        ({"method": "p", "inputs": {}}, "at least one"),
        ({"method": "p", "inputs": {"t": "texts"}, "images": ("pics",)}, "not among the inputs"),
        ({"method": "p", "inputs": {"t": "texts"}, "options": ("texts",)}, "appears twice"),
        ({"method": "p", "inputs": {"t": "texts"}, "fixed": {"x": [1]}}, "JSON scalars"),
        ({"method": "p", "inputs": {"t": "texts"}, "max_batch_size": 0}, "max_batch_size"),
    ]:
        with pytest.raises(SpecError) as raised:
            ServingSpec(**bad)
        assert fragment in str(raised.value)
    with pytest.raises(SpecError, match="must be a ServingSpec"):
        ModuleSpec(name="m", version="1.0", entry="m:M", serving={"method": "predict"})  # type: ignore[arg-type]


CLI = [sys.executable, "-c", "from hubcore.cli import main; main()"]


def test_serving_a_module_without_a_serving_declaration_fails_in_one_line(echo_plugin: Path) -> None:
    import os

    env = {**os.environ, "PYTHONPATH": str(echo_plugin.parent)}
    for module, fragment in [("mute", "declares no serving method"), ("nosuch", "unknown module 'nosuch'")]:
        done = subprocess.run(
            [*CLI, "serving", "start", "-m", module], env=env, capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 2
        assert fragment in done.stderr
        assert "Traceback" not in done.stderr


def test_every_first_party_module_declares_how_it_serves() -> None:
    import hubcore

    first_party = [
        s for s in hubcore.list_modules() if s.plugin in {"hub-lac", "hub-ernie", "hub-yolov3", "hub-example"}
    ]
    assert {s.plugin for s in first_party} == {"hub-lac", "hub-ernie", "hub-yolov3", "hub-example"}
    assert all(s.serving is not None for s in first_party)
    lac = hubcore.get_module_spec("lac").serving
    assert lac is not None and (lac.method, lac.inputs) == ("lexical_analysis", {"text": "texts"})
    yolo = hubcore.get_module_spec("yolov3_tiny").serving
    assert yolo is not None and yolo.images == ("images",) and yolo.fixed == {"visualization": False}
