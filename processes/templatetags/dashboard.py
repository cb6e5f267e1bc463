"""``user|may_supervise``: whether the menu offers the supervisor dashboard (督办看板)."""

from django import template

from processes.dashboard import may_supervise as _may_supervise

register = template.Library()


@register.filter
def may_supervise(user) -> bool:
    return _may_supervise(user)
