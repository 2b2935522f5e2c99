"""Password hashing with Werkzeug, plus the checks login needs around it."""

import functools
import secrets

from werkzeug.security import check_password_hash, generate_password_hash


def hash_password(password, method):
    """Return a salted hash of `password` made with `method` (e.g. `scrypt:32768:8:1`)."""
    return generate_password_hash(password, method=method)


def verify_password(password_hash, password):
    """Tell whether `password` matches the stored hash."""
    return check_password_hash(password_hash, password)


def needs_rehash(password_hash, method):
    """Tell whether a stored hash was made with other parameters than `method`."""
    return password_hash.split("$", 1)[0] != method


@functools.cache
def _dummy_hash(method):
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def verify_dummy(password, method):
    """Spend the time of a real check when there is no user, so timing reveals nothing."""
    check_password_hash(_dummy_hash(method), password)
    return False
