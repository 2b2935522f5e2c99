"""Which characters count as printable text in names, emails and passwords."""

import unicodedata

# Control, surrogate, private-use, unassigned, format (invisible) and line/paragraph
# separator characters: none of them can be seen or typed reliably.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cs", "Co", "Cn", "Cf", "Zl", "Zp"})
# Zero-width (non-)joiners are format characters that emoji sequences and several
# scripts need.
ALLOWED_FORMAT_CHARACTERS = frozenset({"\u200c", "\u200d"})


def has_lone_surrogate(text):
    """Tell whether `text` holds a surrogate code point (not valid Unicode text)."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def is_printable(text):
    """Tell whether every character of `text` is one a person can see or type."""
    return not any(
        unicodedata.category(char) in FORBIDDEN_CATEGORIES and char not in ALLOWED_FORMAT_CHARACTERS
        for char in text
    )
