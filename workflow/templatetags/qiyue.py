from django import template

from ground.numerals import amount_in_figures
from workflow.subjects import subject_region
from workflow.subjects import subject_url as _subject_url

register = template.Library()


@register.filter
def subject_url(subject) -> str:
    """``project|subject_url``: the page of what a task is about (workflow/subjects.py)."""
    return _subject_url(subject)


@register.filter
def yuan(value) -> str:
    """¥120,000.00, the same in every language (money is yuan with two places)."""
    return "" if value in (None, "") else amount_in_figures(value)


@register.filter
def subject_place(subject) -> str:
    """``project|subject_place``: where a task's subject is, as its region's full name."""
    region = subject_region(subject) if subject else None
    return region.full_name if region is not None else ""
