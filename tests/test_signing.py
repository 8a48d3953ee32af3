"""The evidence signing key: created once (owner-only), kept across restarts, refused with
a clear message when damaged; signatures fail on any change."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from proctor.recording.signing import EvidenceSigner, SigningKeyError, signature_valid


def test_the_key_is_created_once_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "evidence-signing-key.pem"
    first = EvidenceSigner(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = EvidenceSigner(path)  # a restart
    assert again.public == first.public and len(first.public.fingerprint) == 64

    signature = first.sign(b"manifest")
    assert signature_valid(b"manifest", signature, again.public.public_key)
    assert not signature_valid(b"manifest!", signature, first.public.public_key)
    other = EvidenceSigner(tmp_path / "other.pem")
    assert not signature_valid(b"manifest", signature, other.public.public_key)
    assert not signature_valid(b"manifest", "not base64!", first.public.public_key)


def test_a_damaged_key_stops_with_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "evidence-signing-key.pem"
    path.write_text("-----BEGIN PRIVATE KEY-----\nbroken\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SigningKeyError, match="restore it from backup"):
        EvidenceSigner(path)
