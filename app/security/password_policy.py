"""The password rules of NIST SP 800-63B: length, no common or context words."""

import functools
import gzip
from pathlib import Path

from app.security.printable import is_printable

# 19,640 passwords from Django 5.2's `common-passwords.txt.gz` (BSD licence), which
# Django took from Royce Williams' list of breached passwords; see app/data/README.md.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
MAX_LENGTH = 128
MIN_CONTEXT_LENGTH = 4


@functools.cache
def common_passwords():
    """Return the shipped set of commonly used passwords, lower-cased."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def problems(password, *, min_length, email=None, name=None):
    """Return why `password` is not acceptable, as messages (empty when it is)."""
    length = len(password)
    if length < min_length:
        return [f"Must be at least {min_length} characters long."]
    if length > MAX_LENGTH:
        return [f"Must be at most {MAX_LENGTH} characters long."]
    if not is_printable(password):
        return ["Must contain only printable characters."]
    if not password.strip():
        return ["Must not be only white space."]
    folded = password.casefold()
    if folded in common_passwords():
        return ["This password is too common; choose one that is harder to guess."]
    return [
        f"Must not contain your {label}."
        for label, word in _context_words(email, name)
        if word in folded
    ]


def _context_words(email, name):
    local_part = email.rsplit("@", 1)[0] if email else ""
    words = (("email address", local_part), ("name", name or ""))
    return [
        (label, word.casefold())
        for label, word in words
        if len(word) >= MIN_CONTEXT_LENGTH
    ]
