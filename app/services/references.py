"""The `{ref}` of a user path: a numeric id, an email address or `me`."""


def parse_reference(ref):
    """Return (`"me"` | `"id"` | `"email"` | `"unknown"`, value) for a path segment."""
    if ref == "me":
        return "me", None
    if ref.isascii() and ref.isdigit():
        return "id", int(ref)
    if "@" in ref:
        return "email", ref.lower()
    return "unknown", ref
