"""Email addresses: the one form they are stored in, and the key they are compared by."""

import unicodedata


def email_key(email):
    """The comparison key of an address: its NFKC case-folded form.

    Computed here, in Python, and stored in `users.email_key`: the engines' own `lower()`
    disagree with each other (final sigma, non-ASCII letters), so neither is asked.
    Case folding (`ß` -> `ss`, `ς` -> `σ`), then NFKC again because folding can undo it.
    """
    folded = unicodedata.normalize("NFKC", email).casefold()
    return unicodedata.normalize("NFKC", folded)
