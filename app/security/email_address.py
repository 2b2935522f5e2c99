"""Email addresses: the one form they are stored in, and the key they are compared by."""

import unicodedata
from email.headerregistry import Address

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class InvalidEmail(ValueError):
    """Text that is not one plain address; the message says why."""


def normalize(text):
    """Return the stored form of one plain addr-spec (`local@domain`), or raise InvalidEmail.

    email-validator parses it (no display name, comment, quoted local part, domain
    literal or second address; no DNS lookup) and normalizes it (NFC, the domain's
    Unicode form); the service then stores it in lower case.
    """
    try:
        parsed = validate_email(
            text,
            check_deliverability=False,
            allow_display_name=False,
            allow_quoted_local=False,
            allow_domain_literal=False,
            allow_empty_local=False,
        )
    except EmailNotValidError as error:
        raise InvalidEmail(str(error)) from None
    email = unicodedata.normalize("NFC", parsed.normalized.lower())
    if len(email) > MAX_LENGTH:
        raise InvalidEmail(f"At most {MAX_LENGTH} characters.")
    return email


def recipient(stored):
    """The one mail recipient of a stored address, built from it alone.

    Raises InvalidEmail when the stored text is not a plain address in its stored form
    (a row written before the rules), so no text can add or change a recipient.
    """
    if normalize(stored) != stored:
        raise InvalidEmail("The stored address is not in its normalized form.")
    local, _, domain = stored.rpartition("@")
    return Address(username=local, domain=domain)


def email_key(email):
    """The comparison key of an address: its NFKC case-folded form.

    Computed here, in Python, and stored in `users.email_key`: the engines' own `lower()`
    disagree with each other (final sigma, non-ASCII letters), so neither is asked.
    Case folding (`ß` -> `ss`, `ς` -> `σ`), then NFKC again because folding can undo it.
    """
    folded = unicodedata.normalize("NFKC", email).casefold()
    return unicodedata.normalize("NFKC", folded)
