"""The Content-Security-Policy (qiyue/settings.py, "== CSP =="): on every answer, strict, and
satisfiable because no template of ours writes inline script, handlers or styles."""

import re
from pathlib import Path

import pytest
from django.test import Client

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = sorted(REPO.glob("*/templates"))
# The three pieces of inline CSS viewflow's bundled scripts write (settings.py names them).
VIEWFLOW_STYLE_HASHES = {
    "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='",
    "'sha256-1Kungmqi0WhaYRDmBdTUngGa5h+T+yrG9t/gL5x5lEI='",
    "'sha256-KpSV7LuPYEu58+3u9LJr9v5Drm0uIKEv0h3u/+NVNm8='",
}


def policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = (part.split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def assert_strict(response):
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no nonce
    assert csp["style-src"][:2] == ["'self'", "'unsafe-hashes'"]
    assert set(csp["style-src"][2:]) == VIEWFLOW_STYLE_HASHES
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["font-src"] == csp["connect-src"] == ["'self'"]
    assert csp["form-action"] == csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == csp["object-src"] == ["'none'"]
    assert not any("unsafe-inline" in s or "unsafe-eval" in s for s in sum(csp.values(), []))


def test_an_officials_page_carries_the_strict_policy(cast):
    response = cast.client(cast.user("township_work_station", "A")).get("/workflow/inbox/")
    assert response.status_code == 200
    assert_strict(response)


@pytest.mark.parametrize("path", ["/accounts/login/", "/report/", "/verify/"])
def test_the_public_pages_carry_the_strict_policy(db, path):
    response = Client().get(path)
    assert response.status_code == 200
    assert_strict(response)


def test_the_not_found_page_carries_the_strict_policy(cast):
    response = cast.client(cast.user("township_lead", "A")).get("/no-such-page/")
    assert response.status_code == 404
    assert_strict(response)


def test_the_upload_cap_refusal_carries_the_strict_policy(db, settings):
    settings.QIYUE_MAX_REQUEST_BYTES = 1024
    response = Client().post(
        "/verify/", data=b"x", content_type="application/pdf", CONTENT_LENGTH=str(4096)
    )
    assert response.status_code == 413
    assert_strict(response)


def test_the_policy_is_enforced_with_debug_on_too(db, settings):
    settings.DEBUG = True
    response = Client().get("/accounts/login/")
    assert "Content-Security-Policy-Report-Only" not in response.headers
    assert_strict(response)


# ---------------------------------------------------------------- templates stay CSP-clean

INLINE = {
    "an inline <script> (no src)": re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I),
    "an on… handler attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I),
    "a style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a javascript: address": re.compile(r"javascript:", re.I),
}


def template_files():
    for directory in TEMPLATE_DIRS:
        # The flow chart (graph.svg) is left out: it is only ever shown as an <img>, where
        # nothing in it runs and its own <style> is the picture's, not the page's.
        yield from sorted(directory.rglob("*.html"))


def test_the_scan_finds_the_template_directories():
    names = {d.parent.name for d in TEMPLATE_DIRS}
    assert {"processes", "workflow", "documents"} <= names
    assert sum(1 for _ in template_files()) > 90


def test_no_template_of_ours_has_inline_script_handlers_or_styles():
    found = []
    for file in template_files():
        text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", "", file.read_text(), flags=re.S)
        text = re.sub(r"{#.*?#}", "", text)
        for what, pattern in INLINE.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{file.relative_to(REPO)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_the_scan_catches_each_kind_of_inline_code():
    samples = [
        "<script>alert(1)</script>",
        '<button onclick="go()">',
        '<td class="x" style="color: red">',
        "<style>.x { color: red }</style>",
        '<a href="javascript:history.back()">',
    ]
    for sample, pattern in zip(samples, INLINE.values(), strict=True):
        assert pattern.search(sample)
    assert not INLINE["an inline <script> (no src)"].search(
        '<script src="/static/qiyue/qiyue.js" defer>'
    )
