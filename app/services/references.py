"""The `{ref}` of a user path: a numeric id, an email address or `me`."""

MAX_ID_DIGITS = 19


def parse_reference(ref):
    """Return (`"me"` | `"id"` | `"email"` | `"unknown"`, value) for a path segment."""
    if ref == "me":
        return "me", None
    if ref.isascii() and ref.isdigit():
        digits = ref.lstrip("0") or "0"
        # No id has more digits than the largest 64-bit integer; 0 matches nobody.
        return "id", int(digits) if len(digits) <= MAX_ID_DIGITS else 0
    # No stored email holds a control character (PostgreSQL text cannot even hold NUL).
    if "@" in ref and ref.isprintable():
        return "email", ref.lower()
    return "unknown", ref
