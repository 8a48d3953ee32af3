"""Passwords and tokens: hashed at rest, compared in constant time, parsed strictly."""

from __future__ import annotations

from proctor.auth.secrets import DeviceToken, hash_password, hash_token, verify_password


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
