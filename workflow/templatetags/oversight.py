"""``{% unread_notifications as n %}``: the user's unread notification count, for the menu;
``task|may_urge:user``: whether to offer 催办 on a task."""

from django import template

from workflow.notifications import unread_count
from workflow.supervision import may_urge as _may_urge

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    request = context.get("request")
    if request is None:
        return 0
    if not hasattr(request, "_qiyue_unread"):  # the menu asks more than once per page
        request._qiyue_unread = unread_count(getattr(request, "user", None))
    return request._qiyue_unread


@register.filter
def may_urge(task, user) -> bool:
    return bool(user and user.is_authenticated) and _may_urge(user, task)
