"""The one database error of our own, shared by the engines."""


class DatabaseUnavailable(Exception):
    """The database cannot be reached, is locked past the busy timeout, or is read-only."""
