"""The evidence signing key without the CLI: created once and kept, refused when damaged or of
another kind, and signatures that hold only for the same bytes and the same key."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key
from hypothesis import given
from hypothesis import strategies as st

from proctor.recording.signing import (
    ALGORITHM,
    EvidenceSigner,
    SigningKeyError,
    fingerprint,
    signature_valid,
)


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> EvidenceSigner:
    return EvidenceSigner(tmp_path_factory.mktemp("key") / "evidence.pem", create=True)


def test_a_missing_key_is_an_error_saying_what_to_do_unless_created(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "evidence.pem"
    with pytest.raises(SigningKeyError, match="start the server once .* or restore the key"):
        EvidenceSigner(path)
    assert not path.exists()
    created = EvidenceSigner(path, create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert EvidenceSigner(path).public == created.public  # the key is kept, not replaced
    assert EvidenceSigner(path, create=True).public == created.public


def test_the_public_key_info_describes_the_raw_key(signer: EvidenceSigner) -> None:
    raw = base64.b64decode(signer.public.public_key)
    assert len(raw) == 32
    assert signer.public.algorithm == ALGORITHM
    assert signer.public.fingerprint == fingerprint(raw)
    assert signer.public.as_dict() == {"algorithm": "ed25519",
                                       "public_key": signer.public.public_key,
                                       "fingerprint": signer.public.fingerprint}


@pytest.mark.parametrize("content", [b"", b"-----BEGIN PRIVATE KEY-----\nbroken\n"],
                         ids=["empty", "garbage"])
def test_a_damaged_key_file_says_restore_from_backup(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "evidence.pem"
    path.write_bytes(content)
    with pytest.raises(SigningKeyError, match=r"cannot be read .*restore it from backup"):
        EvidenceSigner(path, create=True)
    assert path.read_bytes() == content  # never overwritten


def test_a_key_of_another_kind_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "evidence.pem"
    path.write_bytes(generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    with pytest.raises(SigningKeyError, match="is not an Ed25519 key"):
        EvidenceSigner(path)


@given(st.binary(max_size=256), st.binary(min_size=1, max_size=256))
def test_a_signature_holds_for_its_bytes_only(signer: EvidenceSigner, data: bytes,
                                              other: bytes) -> None:
    signature = signer.sign(data)
    assert signature_valid(data, signature, signer.public.public_key)
    if other != data:
        assert not signature_valid(other, signature, signer.public.public_key)


def test_a_signature_by_another_key_or_unreadable_input_is_not_valid(
        signer: EvidenceSigner, tmp_path: Path) -> None:
    other = EvidenceSigner(tmp_path / "other.pem", create=True)
    data = b"manifest"
    assert not signature_valid(data, signer.sign(data), other.public.public_key)
    assert not signature_valid(data, "not base64!", signer.public.public_key)
    assert not signature_valid(data, signer.sign(data), "c2hvcnQ=")  # 5 bytes: not a key
    assert not signature_valid(data, base64.b64encode(b"\0" * 64).decode(),
                               signer.public.public_key)
