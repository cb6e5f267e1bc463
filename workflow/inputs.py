"""Input discipline: what officials type is text a reader can see, and numbers in ASCII digits.

- :func:`check_text`: names and free text carry no control, bidirectional or zero-width
  characters (a right-to-left override makes «周海» display as something else; a zero-width
  space makes two names that look alike differ).
- :func:`ascii_number`: Python's ``int()`` and ``Decimal()`` read Arabic-Indic (``١٠٠``) and
  full-width (``１００``) digits, underscores (``1_000``) and exponents (``1e3``); Django's
  number and date fields hand the typed text straight to them. Only 0–9 and a decimal point
  (with thousands commas) pass here, before any conversion.
- :class:`InputDiscipline`: a form mixin that applies both to every field of a form, and
  caps amounts of yuan at a plausible size.
- :func:`query_id`: an id in a query string is a number a key can be, or the request is a 400.
- :func:`safe_cell`: a value as an Excel cell may hold it (no formula, no illegal character).
"""

import re
import unicodedata
from decimal import Decimal

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext_lazy as _

# Line breaks and tabs are text in a multi-line box (browsers send a textarea's lines as \r\n).
MULTILINE_ALLOWED = frozenset("\n\r\t")
# Unicode categories a reader cannot see: controls (Cc, C0 and C1), format characters (Cf:
# the bidi embeddings, overrides and isolates U+202A–202E and U+2066–2069, the marks
# U+200E/F and U+061C, zero-width U+200B–200D, U+2060, U+FEFF, the soft hyphen), line and
# paragraph separators (Zl, Zp) and lone surrogates (Cs). Private-use characters (Co) pass:
# household registers write rare characters of names (生僻字) with them.
HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})

TEXT_MESSAGE = _(
    "This text cannot contain control or invisible characters (character %(position)s is %(char)s). "
    "Retype it rather than pasting it."
)


def hidden_character(value: str, multiline: bool = False) -> tuple[int, str] | None:
    """The first character of ``value`` a reader cannot see: (1-based position, U+XXXX)."""
    for position, char in enumerate(value, start=1):
        if multiline and char in MULTILINE_ALLOWED:
            continue
        if unicodedata.category(char) in HIDDEN_CATEGORIES:
            return position, f"U+{ord(char):04X}"
    return None


def check_text(value, multiline: bool = False) -> None:
    """Raise ValidationError when ``value`` holds a control or invisible character."""
    if not isinstance(value, str):
        return
    found = hidden_character(value, multiline)
    if found is not None:
        raise ValidationError(
            TEXT_MESSAGE, code="hidden_character", params={"position": found[0], "char": found[1]}
        )


def check_single_line(value) -> None:
    check_text(value, multiline=False)


def check_multiline(value) -> None:
    check_text(value, multiline=True)


_DECIMAL = re.compile(r"(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?\Z")
_WHOLE = re.compile(r"[0-9]+\Z")

NUMBER_MESSAGE = _(
    "Enter the number in ordinary digits 0–9, with a decimal point if needed: “%(value)s” has other characters."
)
WHOLE_MESSAGE = _("Enter a whole number in ordinary digits 0–9: “%(value)s” has other characters.")
NEGATIVE_MESSAGE = _("The number cannot be negative.")
DATE_MESSAGE = _("Enter the date as YYYY-MM-DD in ordinary digits 0–9, e.g. 2026-03-01.")


def ascii_number(raw: str, *, whole: bool = False, negative: bool = False) -> str:
    """The number as typed, checked to be ASCII digits (thousands commas removed), before
    ``int()``/``Decimal()`` see it. Raises ValidationError naming what is wrong."""
    text = raw.strip()
    sign = ""
    if text.startswith("-"):
        if not negative:
            raise ValidationError(NEGATIVE_MESSAGE, code="negative")
        sign, text = "-", text[1:]
    if whole:
        if not _WHOLE.match(text):
            raise ValidationError(WHOLE_MESSAGE, code="digits", params={"value": raw})
        return sign + text
    if _GROUPED.match(text):
        text = text.replace(",", "")
    if not _DECIMAL.match(text):
        raise ValidationError(NUMBER_MESSAGE, code="digits", params={"value": raw})
    return sign + text


# An amount of yuan on one project's form: the largest projects of a county run to a few
# tens of millions (seed: Zhijin's projects are ¥50,000–¥3,000,000); ¥100 million (一亿元)
# or more is a slip of the keyboard, not a project.
MAX_AMOUNT = Decimal("100000000.00")
AMOUNT_MESSAGE = _(
    "¥%(value)s is not a plausible amount for one project (at most ¥%(max)s): check the figure."
)


def is_amount(field) -> bool:
    """A decimal field of yuan: two places and room for more than percentages (max_digits > 5)."""
    return (
        isinstance(field, forms.DecimalField)
        and field.decimal_places == 2
        and (field.max_digits or 0) > 5
    )


def check_amount(value) -> None:
    if value is not None and abs(value) >= MAX_AMOUNT:
        raise ValidationError(
            AMOUNT_MESSAGE,
            code="implausible_amount",
            params={"value": f"{value:,.2f}", "max": f"{MAX_AMOUNT - Decimal('0.01'):,.2f}"},
        )


def _negative_allowed(field) -> bool:
    low = getattr(field, "min_value", None)
    return low is None or low < 0


def _ascii_to_python(field, to_python, **kind):
    def checked(value):
        if isinstance(value, str) and value.strip():
            value = ascii_number(value, **kind)
        return to_python(value)

    return checked


def _ascii_date(to_python):
    def checked(value):
        if isinstance(value, str) and any(ch.isdigit() and not "0" <= ch <= "9" for ch in value):
            raise ValidationError(DATE_MESSAGE, code="invalid")
        return to_python(value)

    return checked


def discipline(field) -> None:
    """Give one form field its checks (once): text without hidden characters, numbers and
    dates in ASCII digits, amounts of a plausible size."""
    if getattr(field, "_disciplined", False):
        return
    field._disciplined = True
    if isinstance(field, forms.CharField):
        multiline = isinstance(field.widget, forms.Textarea)
        field.validators.append(check_multiline if multiline else check_single_line)
    elif isinstance(field, forms.DecimalField):  # before IntegerField: Django derives it from it
        field.to_python = _ascii_to_python(
            field, field.to_python, negative=_negative_allowed(field)
        )
        if is_amount(field):
            field.validators.append(check_amount)
    elif isinstance(field, forms.IntegerField):
        field.to_python = _ascii_to_python(
            field, field.to_python, whole=True, negative=_negative_allowed(field)
        )
    elif isinstance(field, forms.DateField):
        field.to_python = _ascii_date(field.to_python)


class InputDiscipline:
    """Form mixin: every field is checked by :func:`discipline` when the form validates
    (fields a form adds in its own ``__init__`` included)."""

    def full_clean(self):
        for field in self.fields.values():
            discipline(field)
        super().full_clean()


# --- Ids in URLs and query strings -------------------------------------------------------

# The largest key SQLite's INTEGER and PostgreSQL's bigint hold; beyond it SQLite raises
# OverflowError while binding the parameter.
MAX_ID = 2**63 - 1


def fits_key(value: int) -> bool:
    return -MAX_ID <= value <= MAX_ID


def query_id(params, name: str) -> int | None:
    """The id in query parameter ``name`` (None when absent or empty). Anything that is not
    a whole number a key can be answers 400, before it reaches the database."""
    raw = params.get(name, "").strip()
    if not raw:
        return None
    if not _WHOLE.match(raw) or not fits_key(int(raw)):
        raise BadRequest(f"query parameter {name!r} is not an id")
    return int(raw)


# --- Excel cells ----------------------------------------------------------------------

# Text Excel (and LibreOffice) would read as a formula or a DDE call: = + - @, and a tab or
# carriage return in front of one.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """``(value, as_text)`` for an openpyxl cell: text stripped of the characters an .xlsx
    cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE would raise on them), and flagged to be
    written as a literal string when it would otherwise start a formula."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value, False
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return value, value.startswith(FORMULA_START)
