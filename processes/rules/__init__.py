"""Business rules of the contract model, as plain functions (DOMAIN.md §4).

Each takes values and returns values or raises :class:`RuleViolation` with a message an
official understands. Forms and actions call them; they never import views.
"""

from django.core.exceptions import ValidationError


class RuleViolation(ValidationError):
    """A business rule was broken. A ``ValidationError``, so forms show it beside the field."""
