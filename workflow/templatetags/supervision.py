"""``{% unread_notifications as n %}``: the user's unread notification count, for the menu."""

from django import template

from workflow.notifications import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    return unread_count(getattr(request, "user", None))
