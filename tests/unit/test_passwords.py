"""Password hashing (scrypt, legacy upgrade) and the strength rules of backend-rules §3.4."""
import hashlib

import pytest

from penhas_api.core.passwords import hash_password, strength_error, verify_password


def test_scrypt_hash_is_salted_and_verifies():
    a, b = hash_password("Segura#2024"), hash_password("Segura#2024")
    assert a != b and a.startswith("scrypt$15$8$3$")
    assert verify_password("Segura#2024", a) == (True, False)
    assert verify_password("segura#2024", a) == (False, False)


def test_older_scrypt_settings_ask_for_a_rehash():
    import base64

    salt = b"0123456789abcdef"
    digest = hashlib.scrypt(b"Segura#2024", salt=salt, n=2 ** 14, r=8, p=1, dklen=32)
    stored = "scrypt$14$8$1$" + base64.b64encode(salt).decode().rstrip("=") + "$" + \
        base64.b64encode(digest).decode().rstrip("=")
    assert verify_password("Segura#2024", stored) == (True, True)


def test_legacy_digests_verify_and_ask_for_a_rehash():
    assert verify_password("abc#1234", hashlib.sha256(b"abc#1234").hexdigest()) == (True, True)
    assert verify_password("abc#1234", hashlib.sha256(b"abc#1234").hexdigest().upper()) == (True, True)
    assert verify_password("abc#1234", hashlib.md5(b"abc#1234").hexdigest()) == (True, True)
    assert verify_password("abc#1235", hashlib.md5(b"abc#1234").hexdigest())[0] is False


@pytest.mark.parametrize("stored", ["", "unusable", "scrypt$x$8$3$a$b", "scrypt$15$8", "zz" * 32])
def test_malformed_hashes_never_match(stored):
    assert verify_password("anything", stored) == (False, False)


@pytest.mark.parametrize("password,error", [
    ("", "warning_space_password"),
    (" Segura#2024", "warning_space_password"),
    ("Segura#2024 ", "warning_space_password"),
    ("123456789", "pass_too_weak"),
    ("PASSWORD", "pass_too_weak"),
    ("Senha", "pass_too_weak"),
    ("123123123", "pass_too_weak"),
    ("1111111", "pass_too_weak"),
    ("1234578", "pass_too_weak"),
    ("Ab1#", "pass_too_weak/size"),
    ("Abcdefg#", "pass_too_weak/number"),
    ("9876543#", "pass_too_weak/letter"),
    ("3As344578a", "pass_too_weak/char"),
    ("ARU 55 PASS", None),
    ("Segura#2024", None),
])
def test_strength_rules_in_order(password, error):
    err = strength_error(password)
    assert (err.error if err else None) == error
    if err:
        assert err.field == "senha" and err.reason == "invalid"
