"""UI language: 简体中文 unless the official chose English.

The browser's Accept-Language is not consulted: county office PCs often run
English-language systems, and the officials still work in Chinese.
"""

from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in LANGUAGE_CODES:
            language = settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Only for this request: the thread goes back to the language it had, so whatever
        # it runs next (a live-server thread's next job, a test's own formatting) is not
        # left in the last official's language.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


def switch_language(request, code):
    """Switch the UI language with a plain link (a cookie, kept for a year)."""
    target = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if code in LANGUAGE_CODES:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, code, max_age=365 * 24 * 3600, samesite="Lax"
        )
    return response
