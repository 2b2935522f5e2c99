"""The text rules of the fields as JSON Schema patterns, for the OpenAPI document.

JSON Schema names no Unicode categories, so the character classes list code points,
computed once from this Python's Unicode database by the rules the fields apply:
app/security/printable.py for what is printable, `str.isspace` for what `str.strip`
trims. BMP code points are written `\\uXXXX`; the others stand as themselves, one
character each for engines that read patterns in code points (Python's `re`,
jsonschema-rs, ECMA-262 with the `u` flag). Lone surrogates are left out: no such engine
takes one, and the fields reject them.

A class of the 145,000 printable code points is long, and generators (Hypothesis) expand
one code point at a time, so it is written once, in a schema fields are `not`
(app/openapi.py), and patterns of their own bar only what is cheap to spell out.
"""

import functools
import itertools
import re
import sys
import unicodedata

from app.schemas.fields import EMAIL_PATTERN
from app.security.printable import ALLOWED_FORMAT_CHARACTERS, FORBIDDEN_CATEGORIES

ANY = r"[\s\S]"  # `.` leaves out line breaks, which engines disagree on
SURROGATES = range(0xD800, 0xE000)
NO_CHARACTER = frozenset({"Cn", "Co"})  # unassigned, private use
ASCII_RUN = re.compile(r"\^\[[A-Za-z0-9_.\\-]+\]\+\$")


@functools.cache
def _code_points():
    """(printable, white space, invisible) code points, ascending.

    Printable as app.security.printable.is_printable says, by its constants (calling it
    for each of the 1.1 million code points takes seconds). Invisible: the unprintable
    ones that are characters (controls, format characters, separators).
    """
    printable, space, invisible = [], [], []
    codes = itertools.chain(range(SURROGATES.start), range(SURROGATES.stop, sys.maxunicode + 1))
    for code in codes:
        char = chr(code)
        kind = unicodedata.category(char)
        if kind not in FORBIDDEN_CATEGORIES or char in ALLOWED_FORMAT_CHARACTERS:
            printable.append(code)
        elif kind not in NO_CHARACTER:
            invisible.append(code)
        if char.isspace():
            space.append(code)
    return printable, space, invisible


def _class_body(codes):
    """The inside of a `[...]` naming these code points (ascending), as ranges."""
    body, start = [], None
    for previous, code in zip([None, *codes], [*codes, None]):
        if start is None:
            start = code
        elif code is None or code != previous + 1:
            body.append(_char(start) if start == previous else f"{_char(start)}-{_char(previous)}")
            start = code
    return "".join(body)


def _char(code):
    return f"\\u{code:04x}" if code <= 0xFFFF else chr(code)


@functools.cache
def white_space():
    """The body of a class of what `str.strip` trims (Python's `\\s`; engines disagree on it)."""
    return _class_body(_code_points()[1])


@functools.cache
def unprintable_space():
    """The body of a class of unprintable white space: tab, newline and the like."""
    printable, space, _ = _code_points()
    return _class_body(sorted(set(space) - set(printable)))


@functools.cache
def unprintable():
    """A character that is not printable: control (tab, newline), format, unassigned..."""
    return f"[^{_class_body(_code_points()[0])}]"


@functools.cache
def unprintable_but_space():
    """An unprintable character that `str.strip` would not trim."""
    return f"[^{_class_body(_code_points()[0])}{unprintable_space()}]"


@functools.cache
def email():
    r"""EMAIL_PATTERN, its `\s` barring the BMP's invisible characters too.

    Email fields are `not` unprintable as well; barring controls and format characters
    here spares a generator from filtering them out, and costs little, unlike the
    960,000 unassigned or private-use code points. Staying in the BMP keeps the pattern
    one that JavaScript's `RegExp` reads without the `u` flag (Swagger UI draws examples).
    """
    _, space, invisible = _code_points()
    barred = _class_body(sorted({*space, *(code for code in invisible if code <= 0xFFFF)}))
    return "^" + EMAIL_PATTERN.pattern.replace(r"\s", barred) + "$"


def blank():
    """Nothing but white space, or nothing at all."""
    return f"^[{white_space()}]*$"


def unprintable_within():
    """Unprintable white space between two characters that are not space (trimming keeps it)."""
    space, controls = white_space(), unprintable_space()
    return f"[^{space}][^{controls}]*[{controls}]{ANY}*[^{space}]"


def longer_than(max_length):
    """More than `max_length` characters from the first to the last that is not space."""
    space = white_space()
    return f"[^{space}]{ANY}{{{max_length - 1},}}[^{space}]"


def admits_ascii_only(pattern):
    """Tell whether `pattern` is a run of ASCII letters, digits, `_`, `.` or `-` (a token's)."""
    return pattern is not None and ASCII_RUN.fullmatch(pattern) is not None
