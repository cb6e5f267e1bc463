from decimal import Decimal

import pytest

from ground.numerals import amount_in_capitals, amount_in_figures


@pytest.mark.parametrize(
    "amount, capitals",
    [
        ("12000", "壹万贰仟元整"),
        ("20000.00", "贰万元整"),
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("0.50", "伍角"),
        ("1005.30", "壹仟零伍元叁角"),
        ("1000.05", "壹仟元零伍分"),
        ("10", "壹拾元整"),
        ("15", "壹拾伍元整"),
        ("100010", "壹拾万零壹拾元整"),
        ("1010000", "壹佰零壹万元整"),
        ("300000.00", "叁拾万元整"),
        ("1234567.89", "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分"),
        ("100000000", "壹亿元整"),
        ("100000001", "壹亿零壹元整"),
        ("60500", "陆万零伍佰元整"),
    ],
)
def test_amounts_in_chinese_capitals(amount, capitals):
    assert amount_in_capitals(Decimal(amount)) == capitals


def test_amount_in_figures():
    assert amount_in_figures(Decimal("12000")) == "¥12,000.00"
    assert amount_in_figures(Decimal("1234567.891")) == "¥1,234,567.89"
