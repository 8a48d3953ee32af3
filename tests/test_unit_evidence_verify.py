"""The offline evidence verifier without a server: packages are built here in the documented
format (canonical zip, chained segments, signed manifest), then each way a package can be
damaged or forged must be refused with a message saying what failed."""

from __future__ import annotations

import base64
import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from proctor.recording.chain import GENESIS, link_hash
from proctor.recording.evidence_format import (
    FORMAT,
    MANIFEST,
    MANIFEST_DIGEST,
    MANIFEST_SIGNATURE,
    README,
    Member,
    sha256_hex,
    write_canonical_zip,
)
from proctor.recording.evidence_verify import EvidenceInvalid, verify_evidence
from proctor.recording.retention import add_years
from proctor.recording.signing import EvidenceSigner

T0 = 1_795_000_000_000  # 2026-11-18 11:06:40 UTC, ms
Manifest = dict[str, Any]


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> EvidenceSigner:
    return EvidenceSigner(tmp_path_factory.mktemp("key") / "evidence.pem", create=True)


def segments(count: int, prev: str = GENESIS, years: int = 5) -> list[tuple[dict[str, Any],
                                                                           bytes]]:
    """``count`` chained 10 s segments of camera 7 with their bytes, retained ``years``."""
    out = []
    for index in range(count):
        start = T0 + index * 10_000
        data = f"segment {index}".encode()
        key, version = f"cameras/7/{start}.ts", f"v{index}"
        chain_hash = link_hash(prev, 7, start, start + 10_000, sha256_hex(data), key, version)
        retain = add_years(datetime.fromtimestamp(start / 1000, UTC), years)
        out.append(({"file": f"segments/{start}.ts", "start_ms": start, "end_ms": start + 10_000,
                     "sha256": sha256_hex(data), "size": len(data), "object_key": key,
                     "version_id": version, "retain_until": retain.isoformat(),
                     "prev_hash": prev, "chain_hash": chain_hash}, data))
        prev = chain_hash
    return out


def package(path: Path, signer: EvidenceSigner | None,
            edit: Callable[[Manifest], None] = lambda m: None,
            files: Callable[[dict[str, bytes]], None] = lambda f: None,
            count: int = 3, sign_other: bytes | None = None) -> Path:
    """A package of ``count`` segments; ``edit`` changes the manifest before it is signed,
    ``files`` changes the members after; ``signer=None`` makes an unsigned format 1 one."""
    clip, readme = b"clip bytes", b"how to verify"
    parts = segments(count)
    manifest: Manifest = {
        "format": FORMAT if signer else "proctor-evidence/1",
        "camera": {"id": 7, "name": "前门", "room": "第一考场", "site": "北京考点"},
        "window": {"from_ms": T0, "to_ms": T0 + count * 10_000},
        "exported_by": "user:3", "exported_at": "2026-11-30T08:00:00+00:00",
        "reason": "complaint", "clip": {"file": "clip.mp4", "sha256": sha256_hex(clip),
                                         "size": len(clip)},
        "segments": [meta for meta, _ in parts]}
    if signer:
        manifest["readme"] = {"file": README, "sha256": sha256_hex(readme)}
        manifest["signing_key"] = signer.public.as_dict()
    edit(manifest)
    manifest_bytes = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
    members = {"clip.mp4": clip, **{meta["file"]: data for meta, data in parts},
               MANIFEST: manifest_bytes,
               MANIFEST_DIGEST: (sha256_hex(manifest_bytes) + "\n").encode()}
    if signer:
        members[MANIFEST_SIGNATURE] = (signer.sign(sign_other or manifest_bytes) + "\n").encode()
    members[README] = readme
    files(members)
    with path.open("wb") as out:
        write_canonical_zip(out, (Member(name, len(data), [data])
                                  for name, data in members.items()))
    return path


def refused(path: Path, match: str, **options: Any) -> None:
    with pytest.raises(EvidenceInvalid, match=match):
        verify_evidence(path, **options)


def test_an_intact_signed_package_verifies_and_says_what_it_holds(
        tmp_path: Path, signer: EvidenceSigner) -> None:
    summary = verify_evidence(package(tmp_path / "p.zip", signer),
                              key_fingerprint=signer.public.fingerprint.upper() + "\n")
    assert summary.camera == "北京考点 / 第一考场 / 前门 (id 7)"
    assert (summary.segments, summary.from_ms, summary.to_ms) == (3, T0, T0 + 30_000)
    assert summary.first_prev_hash == GENESIS
    assert summary.last_chain_hash == segments(3)[-1][0]["chain_hash"]
    assert summary.signed_by == signer.public.fingerprint


def test_an_unsigned_package_passes_only_when_allowed_and_no_key_is_required(
        tmp_path: Path, signer: EvidenceSigner) -> None:
    path = package(tmp_path / "p.zip", None)
    refused(path, r"unsigned \(format 1\).*--allow-unsigned")
    refused(path, "unsigned", allow_unsigned=True, key_fingerprint=signer.public.fingerprint)
    assert verify_evidence(path, allow_unsigned=True).signed_by is None


def test_a_signature_by_another_key_is_refused(tmp_path: Path, signer: EvidenceSigner) -> None:
    other = "0" * 64
    refused(package(tmp_path / "p.zip", signer), f"not by the expected {other}",
            key_fingerprint=other)


def test_a_manifest_signed_over_other_bytes_is_refused(tmp_path: Path,
                                                       signer: EvidenceSigner) -> None:
    refused(package(tmp_path / "p.zip", signer, sign_other=b"{}"),
            "signature is not valid: manifest.json was changed")


@pytest.mark.parametrize(("edit", "match"), [
    (lambda m: m.pop("signing_key"), "signature or the signing key is missing"),
    (lambda m: m.update(signing_key="key"), "signature or the signing key is missing"),
    (lambda m: m["signing_key"].update(public_key="not base64!"), "not readable"),
    (lambda m: m["signing_key"].pop("public_key"), "not readable"),
    (lambda m: m["signing_key"].update(algorithm="rsa"), "does not match its fingerprint"),
    (lambda m: m["signing_key"].update(fingerprint="0" * 64), "does not match its fingerprint"),
    (lambda m: m["signing_key"].update(public_key=base64.b64encode(b"k" * 32).decode(),
                                       fingerprint=hashlib.sha256(b"k" * 32).hexdigest()),
     "signature is not valid"),
    (lambda m: m.pop("readme"), "does not list README.txt"),
    (lambda m: m.update(format="proctor-evidence/9"), "unknown format 'proctor-evidence/9'"),
    (lambda m: m["segments"][1].update(prev_hash="1" * 64), "chain broken at segment 1"),
    (lambda m: m["segments"][2].update(version_id="v9"), "chain broken at segment 2"),
    # retained until one second short of 5 years after the segment's start (the minimum)
    (lambda m: m["segments"][0].update(retain_until="2031-11-18T11:06:39+00:00"),
     f"segment {T0} was retained less than 5 years"),
], ids=["no key", "key not an object", "key not base64", "key absent", "algorithm",
        "fingerprint", "forged key", "readme unlisted", "format", "link", "field",
        "retention"])
def test_a_forged_or_incomplete_manifest_is_refused(
        tmp_path: Path, signer: EvidenceSigner, edit: Callable[[Manifest], None],
        match: str) -> None:
    refused(package(tmp_path / "p.zip", signer, edit), match)


def test_a_package_without_segments_is_refused(tmp_path: Path, signer: EvidenceSigner) -> None:
    def no_segments(f: dict[str, bytes]) -> None:
        for name in [name for name in f if name.startswith("segments/")]:
            del f[name]

    refused(package(tmp_path / "p.zip", signer, lambda m: m.update(segments=[]), no_segments),
            "the package holds no segment")


def test_a_package_starting_mid_chain_verifies(tmp_path: Path, signer: EvidenceSigner) -> None:
    """A window later in the recording links to a segment outside the package."""
    later = segments(2, prev="a" * 64)

    def from_later(m: Manifest) -> None:
        m["segments"] = [meta for meta, _ in later]

    def later_files(f: dict[str, bytes]) -> None:
        for meta, data in later:
            f[meta["file"]] = data
        f.pop(f"segments/{T0 + 20_000}.ts")

    summary = verify_evidence(package(tmp_path / "p.zip", signer, from_later, later_files))
    assert summary.first_prev_hash == "a" * 64


@pytest.mark.parametrize(("change", "match"), [
    (lambda f: f.update({"clip.mp4": b"other clip"}), "clip.mp4 does not match its SHA-256"),
    (lambda f: f.pop(f"segments/{T0}.ts"), f"segments/{T0}.ts is listed in the manifest but "
                                           "missing"),
    (lambda f: f.update({"extra.txt": b"x"}), "files not listed in the manifest: extra.txt"),
    (lambda f: f.update({MANIFEST_DIGEST: b"0" * 64}), "does not match manifest.json.sha256"),
    (lambda f: f.pop(MANIFEST_DIGEST), "manifest.json or its digest is missing"),
    (lambda f: f.pop(MANIFEST_SIGNATURE), "signature or the signing key is missing"),
    (lambda f: f.update({README: b"trust me"}), "README.txt does not match its SHA-256"),
], ids=["clip", "missing segment", "extra file", "digest", "no digest", "no signature",
        "readme"])
def test_a_changed_member_is_refused(tmp_path: Path, signer: EvidenceSigner,
                                     change: Callable[[dict[str, bytes]], None],
                                     match: str) -> None:
    refused(package(tmp_path / "p.zip", signer, files=change), match)


def test_a_manifest_that_is_not_json_is_refused(tmp_path: Path) -> None:
    def broken(f: dict[str, bytes]) -> None:
        f[MANIFEST] = b"{not json"
        f[MANIFEST_DIGEST] = sha256_hex(b"{not json").encode()

    refused(package(tmp_path / "p.zip", None, files=broken), "manifest.json is not valid JSON")


def test_a_changed_byte_anywhere_in_the_zip_is_refused(tmp_path: Path,
                                                       signer: EvidenceSigner) -> None:
    path = package(tmp_path / "p.zip", signer)
    original = path.read_bytes()
    for offset in (0, 40, len(original) // 2, len(original) - 10):
        data = bytearray(original)
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))
        with pytest.raises(EvidenceInvalid):
            verify_evidence(path)


def test_bytes_appended_or_a_compressed_copy_are_not_the_canonical_package(
        tmp_path: Path, signer: EvidenceSigner) -> None:
    path = package(tmp_path / "p.zip", signer)
    (tmp_path / "appended.zip").write_bytes(path.read_bytes() + b"\0")
    refused(tmp_path / "appended.zip", "not a readable zip|zip structure differs")
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(
            tmp_path / "deflated.zip", "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info.filename, source.read(info))
    refused(tmp_path / "deflated.zip", "zip structure differs from the canonical package")


def test_a_member_stored_twice_is_refused(tmp_path: Path, signer: EvidenceSigner) -> None:
    path = package(tmp_path / "p.zip", signer)
    with pytest.warns(UserWarning, match="Duplicate name"), \
            zipfile.ZipFile(path, "a") as archive:
        archive.writestr("clip.mp4", b"fake clip")
    refused(path, "files stored twice: clip.mp4")


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.zip"
    path.write_bytes(b"PK\x03\x04 but nothing more")
    refused(path, "not a readable zip")
