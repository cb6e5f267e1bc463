"""The HTTP side of scripts/scale_out.py: a site behind its instances, a signed-in session
(cookies, CSRF, no redirects followed), the figures it keeps, and the checks on an answer."""

import html
import http.cookiejar
import itertools
import os
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = os.environ.get("QIYUE_DEMO_PASSWORD", "qiyue-demo-2026")


class Failure(Exception):
    pass


class Stats:
    def __init__(self, bases):
        self.lock = threading.Lock()
        self.times = []
        self.by_base = dict.fromkeys(bases, 0)
        self.by_status = {}
        self.retries = 0

    def add(self, base, status, seconds):
        with self.lock:
            self.times.append(seconds)
            self.by_base[base] += 1
            self.by_status[str(status)] = self.by_status.get(str(status), 0) + 1

    def retry(self):
        with self.lock:
            self.retries += 1


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Site:
    """The instances, taken in turn request by request."""

    def __init__(self, bases):
        self.bases = bases
        self._turn = itertools.cycle(bases)
        self._lock = threading.Lock()
        self.stats = Stats(bases)
        self._sessions = {}
        self._login_lock = threading.Lock()

    def next_base(self):
        with self._lock:
            return next(self._turn)

    def session(self, username):
        """One signed-in session per official, shared by the threads (sign-ins are rate-limited)."""
        with self._login_lock:
            if username not in self._sessions:
                self._sessions[username] = Session(self, username)
            return self._sessions[username]


class Session:
    def __init__(self, site, username):
        self.site, self.username = site, username
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect
        )
        self.get("/accounts/login/")
        status, location, _ = self.post(
            "/accounts/login/", {"username": username, "password": PASSWORD}
        )
        if status != 302:
            raise Failure(f"sign-in of {username} answered {status}")

    def csrf(self):
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, path, data=None, base=None):
        base = base or self.site.next_base()
        body = None
        headers = {"User-Agent": "qiyue-scale-out"}
        if data is not None:
            fields = list(data.items()) if isinstance(data, dict) else list(data)
            body = urllib.parse.urlencode(
                [("csrfmiddlewaretoken", self.csrf()), *fields], doseq=True
            ).encode()
            headers["X-CSRFToken"] = self.csrf()
        started = time.monotonic()
        request = urllib.request.Request(base + path, data=body, headers=headers)
        try:
            with self.opener.open(request, timeout=120) as response:
                status, location, text = response.status, None, response.read()
        except urllib.error.HTTPError as error:
            status, location, text = error.code, error.headers.get("Location"), error.read()
        self.site.stats.add(base, status, time.monotonic() - started)
        return status, location, text.decode("utf-8", "replace")

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def post(self, path, data, retry=True, **kwargs):
        """A form post; a 409 ("being handled, try again later") is tried again, as a person
        would, a few times."""
        for attempt in range(1, 6):
            answer = self.request(path, data, **kwargs)
            if answer[0] != 409 or not retry or attempt == 5:
                return answer
            self.site.stats.retry()
            time.sleep(attempt)
        return answer


def text_of(page: str) -> str:
    """A page's visible text in one line, for a failure message."""
    main = page.split("<main", 1)[-1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>|\s+", " ", main)).split())


def expect(status, wanted, what):
    if status not in wanted:
        raise Failure(f"{what}: HTTP {status}")
