"""The evidence signing key: created once (owner-only), kept across restarts, refused with
a clear message when damaged; signatures fail on any change."""

from __future__ import annotations

import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from typer.testing import CliRunner

from proctor.cli.main import app
from proctor.recording.signing import EvidenceSigner, SigningKeyError, signature_valid


def test_the_key_is_created_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "evidence-signing-key.pem"
    with pytest.raises(SigningKeyError, match="start the server once"):
        EvidenceSigner(path)  # the CLI never makes up a key
    first = EvidenceSigner(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = EvidenceSigner(path)  # a restart
    assert again.public == first.public and len(first.public.fingerprint) == 64
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary left

    signature = first.sign(b"manifest")
    assert signature_valid(b"manifest", signature, again.public.public_key)
    assert not signature_valid(b"manifest!", signature, first.public.public_key)
    other = EvidenceSigner(tmp_path / "other.pem", create=True)
    assert not signature_valid(b"manifest", signature, other.public.public_key)
    assert not signature_valid(b"manifest", "not base64!", first.public.public_key)


def test_a_damaged_key_stops_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "evidence-signing-key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SigningKeyError, match="restore it from backup"):
        EvidenceSigner(path)


def test_processes_starting_together_end_up_with_one_key(tmp_path: Path) -> None:
    path = tmp_path / "evidence-signing-key.pem"
    with ThreadPoolExecutor(max_workers=8) as pool:
        signers = list(pool.map(lambda _: EvidenceSigner(path, create=True), range(8)))
    assert len({signer.public.fingerprint for signer in signers}) == 1
    assert EvidenceSigner(path).public == signers[0].public


def test_the_server_refuses_a_configured_key_that_is_missing(tmp_path: Path) -> None:
    # the check runs before anything starts: nothing listens, nothing is contacted
    result = CliRunner().invoke(app, ["serve"], env={
        "PROCTOR_DATA_DIR": str(tmp_path), "PROCTOR_ANALYSIS_ENABLED": "false",
        "PROCTOR_S3_ENDPOINT": "127.0.0.1:9", "PROCTOR_S3_ACCESS_KEY": "k",
        "PROCTOR_S3_SECRET_KEY": "s",
        "PROCTOR_EVIDENCE_SIGNING_KEY": str(tmp_path / "secrets" / "missing.pem")})
    assert result.exit_code == 2
    assert "does not exist: mount or restore the key" in result.output
