"""Evidence packages: exported over the API, verified offline; any changed byte is caught."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import zipfile
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from support.ingest import T0, put_segment
from support.segments import cut_segment
from support.stack import Stack
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.db.models import Segment
from proctor.recording.evidence_format import Member, sha256_hex, write_canonical_zip
from proctor.recording.evidence_verify import EvidenceInvalid, verify_evidence


@pytest.fixture(scope="module")
def package(shared_stack: Stack, h264_footage: Path,
            tmp_path_factory: pytest.TempPathFactory) -> Path:
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


def service_key(stack: Stack) -> str:
    response = httpx.get(f"{stack.url}/api/evidence/signing-key",
                         headers={"Authorization": f"Bearer {stack.login('officer')}"})
    response.raise_for_status()
    return response.json()["fingerprint"]  # type: ignore[no-any-return]


def test_intact_package_verifies_offline(package: Path, shared_stack: Stack) -> None:
    fingerprint = service_key(shared_stack)
    summary = verify_evidence(package, key_fingerprint=fingerprint)
    assert summary.segments == 3 and summary.signed_by == fingerprint
    assert summary.exported_by.startswith("officer")
    with pytest.raises(EvidenceInvalid, match="not by the expected"):
        verify_evidence(package, key_fingerprint="0" * 64)
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["reason"] == "complaint 2026-117"
        assert [s["prev_hash"] for s in manifest["segments"]][1:] == [
            s["chain_hash"] for s in manifest["segments"]][:-1]
        first = manifest["segments"][0]["start_ms"]
        assert archive.read(f"segments/{first}.ts")[:1] == b"G"
    result = CliRunner().invoke(app, ["archive", "verify-evidence", str(package),
                                      "--key-fingerprint", fingerprint])
    assert result.exit_code == 0 and "intact" in result.output
    assert f"signed by the expected key {fingerprint}" in result.output


def members_of(package: Path) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        return [(i.filename, archive.read(i)) for i in archive.infolist()]


def write_members(target: Path, members: list[tuple[str, bytes]]) -> Path:
    with target.open("wb") as out:
        write_canonical_zip(out, [Member(name, len(data), [data]) for name, data in members])
    return target


def test_a_consistent_forgery_is_caught_by_the_signature(package: Path, shared_stack: Stack,
                                                         tmp_path: Path) -> None:
    """Anyone can rebuild a self-consistent package (hashes, chain, digest); only the
    service's key can sign it."""
    members = dict(members_of(package))
    manifest = json.loads(members["manifest.json"])
    manifest["reason"] = "something else entirely"
    forged_manifest = json.dumps(manifest, indent=2, ensure_ascii=False).encode()

    def package_with(manifest_bytes: bytes, signature: bytes, name: str) -> Path:
        replaced = {**members, "manifest.json": manifest_bytes, "manifest.json.sig": signature,
                    "manifest.json.sha256": (sha256_hex(manifest_bytes) + "\n").encode()}
        return write_members(tmp_path / name, list(replaced.items()))

    reused = package_with(forged_manifest, members["manifest.json.sig"], "reused.zip")
    with pytest.raises(EvidenceInvalid, match="manifest signature is not valid"):
        verify_evidence(reused)

    # re-signed with the forger's own key: consistent, but not the service's
    forger = Ed25519PrivateKey.generate()
    raw = forger.public_key().public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw)
    manifest["signing_key"] = {"algorithm": "ed25519", "public_key": base64.b64encode(raw).decode(),
                               "fingerprint": hashlib.sha256(raw).hexdigest()}
    resigned_manifest = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    resigned = package_with(resigned_manifest,
                            base64.b64encode(forger.sign(resigned_manifest)) + b"\n",
                            "resigned.zip")
    assert verify_evidence(resigned).signed_by == hashlib.sha256(raw).hexdigest()
    with pytest.raises(EvidenceInvalid, match="not by the expected"):
        verify_evidence(resigned, key_fingerprint=service_key(shared_stack))


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
    forged = [(name, b"forged" if name == "clip.mp4" else data)
              for name, data in members_of(package)]
    target = write_members(tmp_path / "forged.zip", forged)  # well-formed, replaced footage
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
    record = select(Segment).where(Segment.camera_id == camera, Segment.start_ms == start)
    with shared_stack.db() as db:
        recorded = db.scalars(record).one().sha256
    exports = shared_stack.data_dir / "clips" / "exports"
    try:
        with shared_stack.db() as db:
            db.scalars(record).one().sha256 = "0" * 64
        response = httpx.post(
            f"{shared_stack.url}/api/cameras/{camera}/evidence",
            json={"from_ms": start, "to_ms": start + 5_000, "reason": "complaint 2026-118"},
            headers={"Authorization": f"Bearer {shared_stack.login('officer')}"}, timeout=60)
    finally:
        with shared_stack.db() as db:
            db.scalars(record).one().sha256 = recorded
    assert response.status_code == 503
    assert "does not match its recorded SHA-256" in response.json()["detail"]
    assert not list(exports.glob("*")), "a refused export left a file behind"


def test_duplicate_entries_unsigned_downgrades_and_edited_instructions_are_refused(
        package: Path, shared_stack: Stack, tmp_path: Path) -> None:
    members = members_of(package)
    # a fake clip stored before the real one: some tools would show the first copy
    doubled = write_members(tmp_path / "doubled.zip", [("clip.mp4", b"FAKE"), *members])
    with pytest.raises(EvidenceInvalid, match="files stored twice: clip.mp4"):
        verify_evidence(doubled)

    # the README's instructions (what to compare with) are covered by the signature
    edited = write_members(tmp_path / "edited.zip", [
        (name, data.replace(b"proctor archive signing-key", b"trust the fingerprint here"))
        if name == "README.txt" else (name, data) for name, data in members])
    with pytest.raises(EvidenceInvalid, match="README.txt does not match"):
        verify_evidence(edited)

    # downgraded to the unsigned format 1: integrity only, and only when asked for
    files = dict(members)
    manifest = json.loads(files["manifest.json"])
    manifest["format"] = "proctor-evidence/1"
    del manifest["signing_key"], manifest["readme"]
    unsigned_manifest = json.dumps(manifest, indent=2).encode()
    unsigned = write_members(tmp_path / "unsigned.zip", [
        (name, unsigned_manifest if name == "manifest.json"
         else (sha256_hex(unsigned_manifest) + "\n").encode() if name == "manifest.json.sha256"
         else data) for name, data in members if name != "manifest.json.sig"])
    with pytest.raises(EvidenceInvalid, match="unsigned"):
        verify_evidence(unsigned)
    with pytest.raises(EvidenceInvalid, match="unsigned"):
        verify_evidence(unsigned, key_fingerprint=service_key(shared_stack), allow_unsigned=True)
    assert verify_evidence(unsigned, allow_unsigned=True).signed_by is None

    runner = CliRunner()
    no_key = runner.invoke(app, ["archive", "verify-evidence", str(package)])
    assert no_key.exit_code == 3 and "NO KEY REQUIRED" in no_key.output
    assert runner.invoke(app, ["archive", "verify-evidence", str(package), "--any-key"]
                         ).exit_code == 0
