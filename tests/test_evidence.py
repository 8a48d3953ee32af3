"""Evidence packages: exported over the API, verified offline; any changed byte is caught."""

from __future__ import annotations

import json
import random
import sqlite3
import zipfile
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.recording.evidence_format import Member, write_canonical_zip
from proctor.recording.evidence_verify import EvidenceInvalid, verify_evidence
from segments import cut_segment
from stack import Stack
from test_segment_ingest import T0, put_segment


@pytest.fixture(scope="module")
def package(shared_stack: Stack, h264_footage: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    camera = shared_stack.site_a.camera_ids[0]
    for index in range(3):
        data = cut_segment(h264_footage, index * 10, 10)
        assert put_segment(shared_stack, camera, T0 + index * 10_000, data).status_code == 201
    response = httpx.post(
        f"{shared_stack.url}/api/cameras/{camera}/evidence",
        json={"from_ms": T0 + 5_000, "to_ms": T0 + 25_000, "reason": "complaint 2026-117"},
        headers={"Authorization": f"Bearer {shared_stack.login('officer')}"}, timeout=60)
    assert response.status_code == 200, response.text
    path = tmp_path_factory.mktemp("evidence") / "package.zip"
    path.write_bytes(response.content)
    return path


def test_intact_package_verifies_offline(package: Path) -> None:
    summary = verify_evidence(package)
    assert summary.segments == 3
    assert summary.exported_by.startswith("officer")
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["reason"] == "complaint 2026-117"
        assert [s["prev_hash"] for s in manifest["segments"]][1:] == [
            s["chain_hash"] for s in manifest["segments"]][:-1]
        assert archive.read("segments/" + str(manifest["segments"][0]["start_ms"]) + ".ts")[:1] == b"G"
    result = CliRunner().invoke(app, ["archive", "verify-evidence", str(package)])
    assert result.exit_code == 0 and "intact" in result.output


def _positions(package: Path) -> list[int]:
    """Every byte of every zip header and of the central directory, plus samples of all data."""
    raw = package.read_bytes()
    positions: set[int] = set()
    with zipfile.ZipFile(package) as archive:
        infos = archive.infolist()
        directory_start = max(i.header_offset + 30 + len(i.filename.encode()) + i.file_size
                              for i in infos)
        positions.update(range(directory_start, len(raw)))
        rng = random.Random(7)
        for info in infos:
            header_len = 30 + len(info.filename.encode())
            positions.update(range(info.header_offset, info.header_offset + header_len))
            data_start = info.header_offset + header_len
            positions.update(rng.randrange(data_start, data_start + info.file_size)
                             for _ in range(min(40, info.file_size)))
    return sorted(positions)


def test_flipping_any_byte_fails_verification(package: Path, tmp_path: Path) -> None:
    raw = package.read_bytes()
    positions = _positions(package)
    assert len(positions) > 500
    missed = []
    for position in positions:
        damaged = bytearray(raw)
        damaged[position] ^= 0x01
        target = tmp_path / "damaged.zip"
        target.write_bytes(damaged)
        try:
            verify_evidence(target)
            missed.append(position)
        except EvidenceInvalid:
            pass
    assert missed == [], f"changed bytes not detected at offsets {missed[:20]}"


def test_cli_names_the_problem(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        members = [(i.filename, archive.read(i)) for i in archive.infolist()]
    forged = [(name, b"forged" if name == "clip.mp4" else data) for name, data in members]
    target = tmp_path / "forged.zip"
    with target.open("wb") as out:  # a well-formed zip with replaced footage
        write_canonical_zip(out, [Member(name, len(data), [data]) for name, data in forged])
    result = CliRunner().invoke(app, ["archive", "verify-evidence", str(target)])
    assert result.exit_code == 1
    assert "clip.mp4 does not match its SHA-256" in result.output


def test_export_refuses_stored_footage_that_differs_from_its_record(shared_stack: Stack,
                                                                    h264_footage: Path) -> None:
    """The store is under Object Lock, so the mismatch is made on the record side (the
    database), restored afterwards: the exporter must compare what it reads with it."""
    camera, start = shared_stack.site_a.camera_ids[0], T0 + 900_000
    assert put_segment(shared_stack, camera, start, cut_segment(h264_footage, 0, 10)
                       ).status_code == 201
    database = sqlite3.connect(shared_stack.data_dir / "proctor.db")
    where = "camera_id = ? AND start_ms = ?"
    (recorded,) = database.execute(f"SELECT sha256 FROM segments WHERE {where}",
                                   (camera, start)).fetchone()
    exports = shared_stack.data_dir / "clips" / "exports"
    try:
        with database:
            database.execute(f"UPDATE segments SET sha256 = ? WHERE {where}",
                             ("0" * 64, camera, start))
        response = httpx.post(
            f"{shared_stack.url}/api/cameras/{camera}/evidence",
            json={"from_ms": start, "to_ms": start + 5_000, "reason": "complaint 2026-118"},
            headers={"Authorization": f"Bearer {shared_stack.login('officer')}"}, timeout=60)
    finally:
        with database:
            database.execute(f"UPDATE segments SET sha256 = ? WHERE {where}",
                             (recorded, camera, start))
        database.close()
    assert response.status_code == 503
    assert "does not match its recorded SHA-256" in response.json()["detail"]
    assert not list(exports.glob("*")), "a refused export left a file behind"
