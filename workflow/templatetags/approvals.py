"""``{% sign_offs_waiting as n %}``: how many sign-offs (加签, 会签) wait for the user, for
the menu badge."""

from django import template

from workflow.operations import pending_sign_offs

register = template.Library()


@register.simple_tag(takes_context=True)
def sign_offs_waiting(context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    if not hasattr(request, "_qiyue_sign_offs_waiting"):  # the menu shows it twice
        request._qiyue_sign_offs_waiting = pending_sign_offs(user).count()
    return request._qiyue_sign_offs_waiting
