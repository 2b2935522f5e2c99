"""The password rules of NIST SP 800-63B: length, no common or context words, and not
easily guessed by the zxcvbn estimate."""

import functools
import gzip
from pathlib import Path

from zxcvbn import zxcvbn

from app.security.printable import is_printable

# 19,640 passwords from Django 5.2's `common-passwords.txt.gz` (BSD licence), which
# Django took from Royce Williams' list of breached passwords; see app/data/README.md.
COMMON_PASSWORDS_FILE = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt.gz"
MAX_LENGTH = 128
MIN_CONTEXT_LENGTH = 4
# zxcvbn's score 2 starts at 10^6 guesses: fewer is a common word padded with digits, a
# repeat, a sequence or a keyboard walk (password1234567, aaaaaaaaaaaaaaa, qwertyuiopasdfg).
MIN_GUESSES = 10**6
# zxcvbn refuses longer input (its cost grows with length); the estimate of a prefix is a
# lower bound of the whole password's.
ZXCVBN_MAX_LENGTH = 72


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
    context = [
        f"Must not contain your {label}."
        for label, word in _context_words(email, name)
        if word in folded
    ]
    return context or _guessable(password)


def _guessable(password):
    """Why zxcvbn finds the password easy to guess (fewer than MIN_GUESSES), if it does."""
    estimate = zxcvbn(password[:ZXCVBN_MAX_LENGTH])
    if estimate["guesses"] >= MIN_GUESSES:
        return []
    why = estimate["feedback"]["warning"] or "It follows a pattern that is easy to guess."
    return [
        f"This password is too easy to guess: {why} Add more words or characters "
        "that do not follow a pattern."
    ]


def _context_words(email, name):
    local_part = email.rsplit("@", 1)[0] if email else ""
    words = (("email address", local_part), ("name", name or ""))
    return [(label, word.casefold()) for label, word in words if len(word) >= MIN_CONTEXT_LENGTH]
