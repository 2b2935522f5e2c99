"""Password hashing: salted hashes, verification, rehash detection, the dummy check."""

import pytest

from app.security import passwords
from app.security.passwords import hash_password, needs_rehash, verify_dummy, verify_password

FAST = "scrypt:1024:8:1"
PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored():
    return hash_password(PASSWORD, FAST)


def test_hash_password_records_method(stored):
    assert stored.startswith(FAST + "$")


def test_hash_password_does_not_contain_password(stored):
    assert PASSWORD not in stored


def test_hash_password_twice_gives_different_salts():
    assert hash_password(PASSWORD, FAST) != hash_password(PASSWORD, FAST)


def test_verify_password_with_right_password_is_true(stored):
    assert verify_password(stored, PASSWORD) is True


@pytest.mark.parametrize("attempt", [PASSWORD.upper(), PASSWORD + " ", " " + PASSWORD, "", "x"])
def test_verify_password_with_other_password_is_false(stored, attempt):
    assert verify_password(stored, attempt) is False


def test_verify_password_with_unicode_password_round_trips():
    password = "Árvíztűrő tükörfúrógép 🙂"
    assert verify_password(hash_password(password, FAST), password) is True


def test_needs_rehash_with_same_method_is_false(stored):
    assert needs_rehash(stored, FAST) is False


@pytest.mark.parametrize(
    "method", ["scrypt:2048:8:1", "scrypt:1024:8:2", "scrypt", "pbkdf2:sha256:1000"]
)
def test_needs_rehash_with_other_method_is_true(stored, method):
    assert needs_rehash(stored, method) is True


def test_needs_rehash_of_pbkdf2_hash_under_scrypt_is_true():
    assert needs_rehash(hash_password(PASSWORD, "pbkdf2:sha256:1000"), FAST) is True


def test_verify_dummy_returns_false_even_for_any_password():
    assert verify_dummy(PASSWORD, FAST) is False


def test_verify_dummy_runs_a_real_check(monkeypatch):
    checked = []
    real_check = passwords.check_password_hash

    def spy(password_hash, password):
        checked.append(password_hash.split("$", 1)[0])
        return real_check(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    verify_dummy(PASSWORD, FAST)
    assert checked == [FAST]
