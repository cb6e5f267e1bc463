"""How a paper prints values: dates with Arabic numerals (GB/T 9704), amounts in capitals
and figures. Snapshots store values already formatted with these."""

import datetime
from decimal import Decimal

from django.utils import timezone

from ground.numerals import amount_in_capitals, amount_in_figures


def cn_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return f"{value.year}年{value.month}月{value.day}日"


def money(amount) -> dict:
    amount = Decimal(amount or 0)
    return {
        "capitals": amount_in_capitals(amount),
        "figures": amount_in_figures(amount),
        "value": str(amount),
    }
