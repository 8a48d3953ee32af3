"""Passwords and tokens: hashed at rest, compared in constant time, parsed strictly."""

from __future__ import annotations

import pytest

from proctor.auth.secrets import (
    DeviceToken,
    hash_password,
    hash_token,
    new_session_token,
    verify_password,
)


def test_password_hash_round_trip() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("scrypt$")
    assert "a long passphrase" not in stored
    assert verify_password("a long passphrase", stored)
    assert not verify_password("a long passphrasf", stored)
    assert hash_password("a long passphrase") != stored  # salted


def test_verify_rejects_garbage_hashes() -> None:
    assert not verify_password("x", "")
    assert not verify_password("x", "md5$abc")


def test_device_token_format_and_match() -> None:
    token = DeviceToken.generate(7)
    text = str(token)
    assert text.startswith("pdt_7_")
    parsed = DeviceToken.parse(text)
    assert parsed == token
    assert parsed is not None and parsed.matches(hash_token(token.secret))
    assert not parsed.matches(hash_token("other"))


def test_device_token_parse_rejects_malformed() -> None:
    for text in ["", "pdt", "pdt_x_" + "a" * 43, "pst_1_" + "a" * 43, "pdt_1_short"]:
        assert DeviceToken.parse(text) is None


def test_session_token_hash_is_keyed_by_the_server_secret() -> None:
    from proctor.auth.secrets import hash_session_token

    token = "pst_example"
    assert hash_session_token(token, b"key one") == hash_session_token(token, b"key one")
    assert hash_session_token(token, b"key one") != hash_session_token(token, b"key two")
    assert hash_session_token(token, b"key one") != hash_token(token)  # not a bare SHA-256


def test_password_hashing_handles_hostile_text() -> None:
    for password in ("", "密码\x00" + "x" * 10_000):
        stored = hash_password(password)
        assert verify_password(password, stored)
        assert not verify_password(password + "!", stored)


def test_password_with_invalid_unicode_is_an_error_not_a_match() -> None:
    stored = hash_password("secret")
    with pytest.raises(UnicodeEncodeError):
        verify_password("\udcff", stored)


@pytest.mark.parametrize("stored", [
    "bcrypt$1$2$3$c2FsdA==$ZGlnZXN0",  # another scheme
    "scrypt$16384$8$1$c2FsdA==",  # a field missing
    "scrypt$16384$8$1$c2FsdA==$ZGlnZXN0$extra",  # one too many
])
def test_verify_rejects_malformed_stored_hashes(stored: str) -> None:
    assert not verify_password("salt", stored)


def test_device_token_parse_is_strict_about_its_parts() -> None:
    secret = "s" * 32
    assert DeviceToken.parse(f"pdt_12_{secret}") == DeviceToken(12, secret)
    assert DeviceToken.parse(f"pdt_12_{secret[:-1]}") is None  # too short to be ours
    assert DeviceToken.parse(f"pdt_-1_{secret}") is None
    huge = DeviceToken.parse(f"pdt_{10**30}_{secret}")
    assert huge is not None and huge.device_id == 10**30
    underscore = DeviceToken.parse(f"pdt_3_{secret}_more")  # urlsafe secrets may hold '_'
    assert underscore == DeviceToken(3, f"{secret}_more")


def test_generated_tokens_are_unique_and_round_trip() -> None:
    tokens = {str(DeviceToken.generate(5)) for _ in range(50)}
    assert len(tokens) == 50
    assert all(DeviceToken.parse(text) is not None for text in tokens)
    session = {new_session_token() for _ in range(50)}
    assert len(session) == 50 and all(t.startswith("pst_") and len(t) > 40 for t in session)


def test_device_token_ids_are_ascii_digits_only() -> None:
    assert DeviceToken.parse("pdt_١٢_" + "s" * 32) is None
