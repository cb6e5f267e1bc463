"""Login lockout, per-address rate limits, the upload cap, logout by POST, and a busy SQLite
database answering 409 (workflow/security.py, workflow/middleware.py)."""

import io

import pytest
from axes.models import AccessAttempt
from django.db import OperationalError
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import path
from django.utils import translation

from ground import audit
from ground.models import AuditEntry
from qiyue.urls import handler403  # noqa: F401
from qiyue.urls import urlpatterns as site_urlpatterns
from workflow.exceptions import TaskUnavailable
from workflow.security import RequestSizeLimitMiddleware, client_address

from .. import factories as f

LOGIN = "/accounts/login/"
LOCKED = "登录失败次数过多"
TOO_MANY = "请求过于频繁"


def sign_in(client, username, password, address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# ---------------------------------------------------------------- login lockout


def test_five_failed_sign_ins_lock_the_account_and_the_right_password_is_then_refused(cast):
    user = cast.user("township_lead", "A")
    client = Client()
    for _ in range(4):
        response = sign_in(client, user.username, "wrong-password")
        assert response.status_code == 200
        assert LOCKED not in response.content.decode()
    response = sign_in(client, user.username, "wrong-password")  # the fifth failure
    assert response.status_code == 429
    response = sign_in(client, user.username, f.PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "登录失败次数过多，账号在您的地址已锁定 15 分钟，请稍后再试。" in page
    assert 'name="username"' in page  # the login page itself, with the message as its error
    assert not signed_in(client)
    assert AccessAttempt.objects.get(username=user.username).failures_since_start >= 5


def test_a_lockout_is_audited_once_with_the_address(cast):
    user = cast.user("township_lead", "A")
    for _ in range(7):
        sign_in(Client(), user.username, "wrong-password", address="10.0.0.5")
    for _ in range(5):
        sign_in(Client(), "no-such-official", "wrong-password")
    entries = AuditEntry.objects.filter(act="login_locked_out")
    assert [(e.actor_name, e.object_id, e.after) for e in entries] == [
        ("system", str(user.pk), {"address": "10.0.0.5", "failures": 5, "minutes": 15})
    ]
    assert audit.verify_chain() is None


def test_a_fresh_browser_does_not_lift_the_lockout(cast):
    user = cast.user("township_lead", "A")
    for _ in range(5):
        sign_in(Client(), user.username, "wrong-password")
    client = Client()
    assert sign_in(client, user.username, f.PASSWORD).status_code == 429
    assert not signed_in(client)


def test_the_lockout_holds_one_user_name_at_one_address_only(cast):
    user, neighbour = cast.user("township_lead", "A"), cast.user("township_lead", "B")
    for _ in range(5):
        sign_in(Client(), user.username, "wrong-password")
    from_the_office = Client()
    assert (
        sign_in(from_the_office, user.username, f.PASSWORD, address="10.0.0.2").status_code == 302
    )
    assert signed_in(from_the_office)
    colleague = Client()
    assert sign_in(colleague, neighbour.username, f.PASSWORD).status_code == 302
    assert signed_in(colleague)


def test_a_successful_sign_in_clears_the_failures(cast):
    user = cast.user("township_lead", "A")
    for _ in range(4):
        sign_in(Client(), user.username, "wrong-password")
    assert sign_in(Client(), user.username, f.PASSWORD).status_code == 302
    for _ in range(4):
        sign_in(Client(), user.username, "wrong-password")
    client = Client()
    assert sign_in(client, user.username, f.PASSWORD).status_code == 302


def test_the_lockout_message_is_english_in_the_english_ui(cast):
    user = cast.user("township_lead", "A")
    client = Client()
    client.cookies["django_language"] = "en"
    for _ in range(5):
        sign_in(client, user.username, "wrong-password")
    page = sign_in(client, user.username, f.PASSWORD).content.decode()
    assert "this account is locked at your address for 15 minutes" in page


def test_code_that_signs_in_without_a_request_still_works(cast):
    client = Client()
    assert client.login(username=cast.user("township_lead", "A").username, password=f.PASSWORD)
    assert client.get("/projects/").status_code == 200


# ---------------------------------------------------------------- logout


def test_the_menu_logs_out_with_a_post_form(cast):
    page = cast.client(cast.user("township_lead", "A")).get("/projects/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in page


def test_logout_by_get_is_refused_and_keeps_the_session(cast):
    client = cast.client(cast.user("township_lead", "A"))
    assert client.get("/accounts/logout/").status_code == 405
    assert signed_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert not signed_in(client)


# ---------------------------------------------------------------- rate limits


@pytest.fixture
def limits(settings):
    settings.QIYUE_RATE_LIMITS = {"report": (3, 3600), "verify": (4, 600), "login": (6, 600)}
    return settings.QIYUE_RATE_LIMITS


def test_the_report_post_beyond_the_limit_is_refused_for_that_address_only(db, limits):
    for _ in range(3):
        assert (
            Client().post("/report/", {"content": "x"}, REMOTE_ADDR="10.0.0.7").status_code == 200
        )
    refused = Client().post("/report/", {"content": "x"}, REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert int(refused["Retry-After"]) <= 3600
    assert Client().post("/report/", {"content": "x"}, REMOTE_ADDR="10.0.0.8").status_code == 200
    assert Client().get("/report/", REMOTE_ADDR="10.0.0.7").status_code == 200  # reading stays open


def test_dropping_or_forging_cookies_does_not_reset_the_report_limit(db, limits):
    client = Client()
    for _ in range(3):
        client.post("/report/", {"content": "x"}, REMOTE_ADDR="10.0.0.7")
    client.cookies.clear()
    client.cookies["qiyue_reports"] = "forged"
    assert client.post("/report/", {"content": "x"}, REMOTE_ADDR="10.0.0.7").status_code == 429


def test_verification_look_ups_and_uploads_are_limited_per_address(db, limits):
    for _ in range(2):
        assert Client().get("/verify/", REMOTE_ADDR="10.0.0.9").status_code == 200
        Client().get("/verify/QY-0000/?h=ab", REMOTE_ADDR="10.0.0.9")
    upload = io.BytesIO(b"%PDF-1.7 not really")
    upload.name = "x.pdf"
    refused = Client().post("/verify/", {"file": upload}, REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert Client().get("/verify/", REMOTE_ADDR="10.0.0.10").status_code == 200


def test_sign_in_posts_are_limited_per_address_whatever_the_user_name(cast, limits):
    for n in range(6):
        assert sign_in(Client(), f"nobody{n}", "wrong-password").status_code == 200
    refused = sign_in(Client(), cast.user("township_lead", "A").username, f.PASSWORD)
    assert refused.status_code == 429
    assert TOO_MANY in refused.content.decode()
    assert sign_in(Client(), "nobody", "wrong-password", address="10.0.0.2").status_code == 200


def test_a_forged_forwarded_for_header_changes_nothing_without_a_trusted_proxy(db, limits):
    for n in range(3):
        Client().post("/report/", {}, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}")
    forged = Client().post("/report/", {}, REMOTE_ADDR="10.0.0.7", HTTP_X_FORWARDED_FOR="9.9.9.9")
    assert forged.status_code == 429


def test_behind_a_trusted_proxy_the_client_is_the_address_the_proxy_saw(settings):
    settings.QIYUE_PROXY_COUNT = 1
    request = RequestFactory().get(
        "/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5"
    )
    assert client_address(request) == "203.0.113.5"  # 6.6.6.6 was written by the client
    settings.QIYUE_PROXY_COUNT = 0
    assert client_address(request) == "127.0.0.1"


def test_behind_a_trusted_proxy_each_client_has_its_own_limit(db, limits, settings):
    settings.QIYUE_PROXY_COUNT = 1
    for _ in range(3):
        Client().post("/report/", {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert (
        Client()
        .post("/report/", {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        .status_code
        == 429
    )
    assert (
        Client()
        .post("/report/", {}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
        .status_code
        == 200
    )


# ---------------------------------------------------------------- upload cap


def test_a_body_over_the_cap_answers_413_in_chinese(db, settings):
    settings.QIYUE_MAX_REQUEST_BYTES = 20 * 1024 * 1024
    response = Client().post(
        "/verify/", data=b"x", content_type="application/pdf", CONTENT_LENGTH=str(21 * 1024 * 1024)
    )
    assert response.status_code == 413
    assert "上传的文件超过 20 MB" in response.content.decode()


def test_the_cap_answers_before_a_byte_of_the_body_is_read(settings):
    settings.QIYUE_MAX_REQUEST_BYTES = 1024

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    request = RequestFactory().post("/verify/", data=b"", content_type="application/pdf")
    request.META.update(CONTENT_LENGTH="1025", **{"wsgi.input": Unreadable()})

    def view(request):
        raise AssertionError("the view was reached")

    assert RequestSizeLimitMiddleware(view)(request).status_code == 413
    request.META["CONTENT_LENGTH"] = "1024"
    assert RequestSizeLimitMiddleware(lambda r: HttpResponse("ok"))(request).status_code == 200


def test_an_upload_under_the_cap_is_judged_as_usual(db):
    upload = io.BytesIO(b"%PDF-1.7 not really")
    upload.name = "x.pdf"
    response = Client().post("/verify/", {"file": upload})
    assert response.status_code == 422  # judged: read (bounded) and found unreadable
    assert "无法读取此文件" in response.content.decode()


# ---------------------------------------------------------------- a busy database


def locked_database(request):
    raise OperationalError("database is locked")


def broken_database(request):
    raise OperationalError("no such table: nothing")


urlpatterns = [
    path("test-busy/", locked_database),
    path("test-broken/", broken_database),
    *site_urlpatterns,
]


@pytest.mark.urls("tests.workflow.test_security")
def test_a_locked_sqlite_database_answers_409_with_the_contention_message(cast):
    client = cast.client(cast.user("township_lead", "A"))
    response = client.get("/test-busy/")
    assert response.status_code == 409
    with translation.override("zh-hans"):
        assert str(TaskUnavailable.default_message) in response.content.decode()


@pytest.mark.urls("tests.workflow.test_security")
def test_other_database_errors_are_not_disguised_as_contention(cast):
    client = cast.client(cast.user("township_lead", "A"))
    client.raise_request_exception = True
    with pytest.raises(OperationalError, match="no such table"):
        client.get("/test-broken/")
