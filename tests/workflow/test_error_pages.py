"""The app's own error pages: in the UI language, in the site's look, with a way home."""

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from qiyue.urls import urlpatterns as site_urlpatterns


def boom(request):
    raise RuntimeError("a bug")


def fine(request):
    return HttpResponse("ok")


urlpatterns = [path("test-boom/", boom), path("test-fine/", fine), *site_urlpatterns]


def test_an_unknown_page_is_the_apps_chinese_404_with_a_way_home(cast):
    response = cast.client(cast.user("township_lead", "A")).get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in html and "返回首页" in html and 'href="/"' in html
    assert "Page not found" not in html and "URLconf" not in html
    assert "qiyue/qiyue.css" in html


def test_a_visitor_who_is_not_signed_in_gets_the_same_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_the_404_is_english_when_the_official_chose_english(cast):
    client = cast.client(cast.user("township_lead", "A"))
    client.get("/i18n/switch/en/")
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "Back to the home page" in html and "页面不存在" not in html


def test_an_official_without_the_role_gets_the_chinese_403(cast):
    response = cast.client(cast.user("village_secretary", "A1")).get("/oversight/dashboard/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in html and "返回首页" in html and "Forbidden" not in html


@pytest.mark.urls(__name__)
def test_a_crash_shows_the_chinese_500_page_not_a_traceback(db):
    response = Client(raise_request_exception=False).get("/test-boom/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "系统出错" in html and "返回首页" in html
    assert "RuntimeError" not in html and "Traceback" not in html


def test_an_expired_form_explains_itself_in_chinese(cast):
    client = cast.client(cast.user("township_lead", "A"))
    client.handler.enforce_csrf_checks = True
    response = client.post("/i18n/switch/en/")
    html = response.content.decode()
    assert response.status_code == 403 and "表单已过期" in html and "CSRF" not in html


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")


def test_pages_carry_the_apps_name_and_icon_not_django_materials(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<title>登录 - 契约</title>" in html and "qiyue/favicon.png" in html
    assert "Django Material" not in html and "Viewflow" not in html


@pytest.mark.parametrize(
    "asset", ["/static/qiyue/qiyue.css", "/static/viewflow/css/viewflow.min.css"]
)
def test_static_files_are_served_without_debug(client, settings, asset):
    """`make run` serves with DEBUG off, so WhiteNoise must serve the styles itself."""
    settings.DEBUG = False
    assert client.get(asset).status_code == 200


def test_long_chinese_chart_titles_wrap_inside_their_boxes():
    from workflow.chart_views import _display_width, wrap_title

    lines = wrap_title("期满续签或终止并将本金退还村集体经济组织")
    assert len(lines) == 2 and all(_display_width(line) <= 20 for line in lines)
    assert "".join(lines) == "期满续签或终止并将本金退还村集体经济组织"
    assert wrap_title("Return of the principal") == ["Return of the", "principal"]
