"""How a resident ID number is shown to officials on screen (agreements print it whole:
DOMAIN.md §6 names every person with their ID number).

A number has three parts (GB 11643-1999 §4): the 6-digit address code, the birth date
(8 digits; 6 in the 15-digit numbers of GB 11643-1989) and the sequence code with, in
the 18-digit form, a check character (0–9 or X). Practice in county public notices of
beneficiaries (公示, DOMAIN.md §3 stage 3) prints the address code and the last four and
hides the birth date: 520524********001X. The address code says where the household is
registered (it matches its village); the last four tell two people apart, and are what
the household picker's search takes.
"""

ADDRESS_DIGITS = 6
SHOWN_TAIL = 4
SHOWN_TAIL_15 = 3  # the sequence code only: the birth date (YYMMDD) ends at digit 12


def mask_id_number(value: str | None) -> str:
    """``520524198801010031`` → ``520524********0031``; ``520524880101003`` →
    ``520524******003``; a value of any other length (malformed, never valid) is masked
    whole, so nothing unchecked is shown in clear; blank stays blank."""
    value = (value or "").strip().upper()
    if len(value) == 18:
        tail = SHOWN_TAIL
    elif len(value) == 15:
        tail = SHOWN_TAIL_15
    else:
        return "*" * len(value)
    hidden = len(value) - ADDRESS_DIGITS - tail
    return value[:ADDRESS_DIGITS] + "*" * hidden + value[-tail:]
