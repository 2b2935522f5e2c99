"""The comparison key of names users answer to: NFKC case folding (Unicode UAX #15/#44).

Two names with one key name one account: they differ only by case (including
`σ`/`ς`/`Σ`), width or compatibility characters.
"""

import unicodedata


def fold(text):
    """Return the NFKC case-folded form of `text` (NFKC_Casefold without the ignorables)."""
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
