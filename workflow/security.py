"""Settings-level defences: who the client is, how much it may send and how often.

- :func:`client_address`: the address of the client, from ``REMOTE_ADDR``, or from
  ``X-Forwarded-For`` only as far as ``QIYUE_PROXY_COUNT`` trusted proxies vouch for it.
- :class:`RequestSizeLimitMiddleware`: a body above ``QIYUE_MAX_REQUEST_BYTES`` answers 413
  before a byte of it is read.
- :class:`RateLimitMiddleware`: public reports, verification and sign-in POSTs are counted per
  client address in the cache; over the limit answers 429. Cookies play no part.
- :class:`LoginThrottleBackend` and :func:`login_locked_out`: django-axes locks a user name
  from one address out after repeated failures and the login page says so.
- :func:`refuse_weak_secret_key`: the WSGI entry point will not serve with the public key.
"""

import math
import time

from axes.backends import AxesStandaloneBackend
from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ground import audit
from ground.acts import Act


def client_address(request) -> str:
    """The client's address. Behind ``QIYUE_PROXY_COUNT`` proxies each appending to
    X-Forwarded-For, the client is the entry the outermost proxy added; anything further
    left was written by the client itself and is ignored."""
    proxies = settings.QIYUE_PROXY_COUNT
    if proxies:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _refused(request, status: int, title: str, message: str) -> HttpResponse:
    body = render_to_string(
        "workflow/refused.html", {"title": title, "message": message}, request=request
    )
    return HttpResponse(body, status=status)


class RequestSizeLimitMiddleware:
    """Refuses a request whose declared body exceeds the cap, without reading the body (an
    upload of 50 MB used to cost 17 s of CPU and half a gigabyte before being judged)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django itself reads an unreadable length as an empty body
        cap = settings.QIYUE_MAX_REQUEST_BYTES
        if length > cap:
            megabytes = cap // (1024 * 1024)
            response = _refused(
                request,
                413,
                _("File too large"),
                _("The upload is larger than %(size)s MB. Please send a smaller file.")
                % {"size": megabytes},
            )
            response["Connection"] = "close"  # the unread body is not waited for
            return response
        return self.get_response(request)


def _rate_scope(request) -> str | None:
    """Which limit a request counts against, if any."""
    path = request.path_info
    if path.startswith("/verify/"):
        return "verify"  # uploads and number look-ups alike
    if request.method != "POST":
        return None
    if path.startswith("/report/"):
        return "report"
    if path in (settings.LOGIN_URL, "/admin/login/"):
        return "login"
    return None


class RateLimitMiddleware:
    """Counts requests per scope and client address in fixed windows in the cache; the
    request beyond the limit answers 429 with the time to wait (``Retry-After``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        scope = _rate_scope(request)
        if scope is not None:
            limit, window = settings.QIYUE_RATE_LIMITS[scope]
            if limit:
                now = time.time()
                slot = int(now // window)
                key = f"qiyue:rate:{scope}:{client_address(request)}:{slot}"
                cache.add(key, 0, timeout=window + 1)
                try:
                    count = cache.incr(key)
                except ValueError:  # expired between add and incr
                    cache.add(key, 1, timeout=window + 1)
                    count = 1
                if count > limit:
                    wait = max(1, math.ceil((slot + 1) * window - now))
                    return self._too_many(request, wait)
        return self.get_response(request)

    def _too_many(self, request, wait: int) -> HttpResponse:
        minutes = max(1, math.ceil(wait / 60))
        message = ngettext(
            "Too many requests from your address. Please try again in %(minutes)d minute.",
            "Too many requests from your address. Please try again in %(minutes)d minutes.",
            minutes,
        ) % {"minutes": minutes}
        response = _refused(request, 429, _("Too many requests"), message)
        response["Retry-After"] = str(wait)
        return response


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' lockout check for every sign-in over HTTP. A sign-in made by code without
    a request (``Client.login`` in tests, a shell) is not an attempt from an address and is
    not throttled; the login and admin pages always pass the request."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return ngettext(
        "Too many failed sign-ins: this account is locked at your address for %(minutes)d "
        "minute. Please try again later.",
        "Too many failed sign-ins: this account is locked at your address for %(minutes)d "
        "minutes. Please try again later.",
        minutes,
    ) % {"minutes": minutes}


def login_locked_out(request, original_response=None, credentials=None):
    """The login page again, with the lockout as its error (HTTP 429), instead of axes'
    bare English text."""
    context = getattr(original_response, "context_data", None) or {}
    form = context.get("form")
    if form is None or not getattr(original_response, "template_name", None):
        return _refused(request, 429, _("Signing in is locked"), lockout_message())
    errors = form.error_class([lockout_message()], error_class="nonfield", renderer=form.renderer)
    form._errors = ErrorDict({"__all__": errors})
    response = TemplateResponse(request, original_response.template_name, context, status=429)
    return response.render()


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    """An account locked out from an address is an audited event (by "system"), once: the
    attempts made while it is locked only extend the lockout."""
    if getattr(request, "axes_failures_since_start", None) != settings.AXES_FAILURE_LIMIT:
        return
    user = get_user_model().objects.filter(username=username).first()
    if user is None:  # a made-up user name: axes' own records keep the attempts
        return
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    audit.record(
        None,
        Act.LOGIN_LOCKED_OUT,
        user,
        after={"address": ip_address, "failures": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
    )


def refuse_weak_secret_key() -> None:
    """With DEBUG off, the public development key or a short one stops the server at start."""
    if settings.DEBUG:
        return
    key = settings.SECRET_KEY
    if key == settings.DEVELOPMENT_SECRET_KEY:
        raise ImproperlyConfigured(
            "QIYUE_SECRET_KEY is not set: refusing to serve with the public development key. "
            'Set QIYUE_SECRET_KEY (or QIYUE_SECRET_KEY_FILE) to python -c "import secrets; '
            'print(secrets.token_urlsafe(50))".'
        )
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured(
            f"QIYUE_SECRET_KEY is too weak ({len(key)} characters): use at least 50 random "
            'characters, e.g. python -c "import secrets; print(secrets.token_urlsafe(50))".'
        )
