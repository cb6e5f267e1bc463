from django import template

from ground.numerals import amount_in_figures

register = template.Library()


@register.filter
def yuan(value) -> str:
    """¥120,000.00, the same in every language (money is yuan with two places)."""
    return "" if value in (None, "") else amount_in_figures(value)
