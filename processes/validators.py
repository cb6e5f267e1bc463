"""Check digits of the identifiers on agreements, so a typo is caught at entry."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_number_check_digit(first17: str) -> str:
    """GB 11643-1999 resident identity number check digit (ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def validate_id_number(value: str) -> None:
    value = value.upper()
    if (
        len(value) != 18
        or not value[:17].isdigit()
        or id_number_check_digit(value[:17]) != value[17]
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid 18-digit resident ID number."), params={"value": value}
        )


_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015 unified social credit code check character."""
    total = sum(_USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    value = value.upper()
    if (
        len(value) != 18
        or any(c not in _USCC_ALPHABET for c in value)
        or uscc_check_char(value[:17]) != value[17]
    ):
        raise ValidationError(
            _("“%(value)s” is not a valid 18-character unified social credit code."),
            params={"value": value},
        )
