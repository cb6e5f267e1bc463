"""The public report page against a visitor probing it: it names only projects the public
notice pages already show, and the number of reports one address may file is counted on the
server, whatever the visitor does with cookies."""

from django.core.signing import get_cookie_signer
from django.test import Client

from processes.models import PublicReport

from ..flowdriver import Driver

CONTENT = "合作社虚报养殖规模，实际存栏不足一半。"
HIDDEN = "乐丰村尚未公示的项目"


def started(cast, name=HIDDEN, noticed=False):
    driver = Driver(cast, "A1")
    project = driver.start(name=name, mode="equity_dividend", funds="100000.00")
    if noticed:
        driver.run(project, until="county_review")
    return project


def test_a_project_never_publicly_noticed_is_not_found_and_not_named(cast):
    project = started(cast)
    visitor = Client()

    page = visitor.get(f"/report/project/{project.pk}/")
    assert page.status_code == 404 and HIDDEN not in page.content.decode()
    for path in ("/report/project/abc/", "/report/project/-1/", "/report/project/99999999999/"):
        assert visitor.get(path).status_code == 404, path

    posted = visitor.post("/report/", {"project_number": project.pk, "content": CONTENT})
    body = posted.content.decode()
    assert posted.status_code == 200 and "没有该编号的项目" in body and HIDDEN not in body
    never = visitor.post("/report/", {"project_number": 999999, "content": CONTENT})
    assert "没有该编号的项目" in never.content.decode()  # the same answer as for no project
    listed = visitor.get("/report/").content.decode()
    assert HIDDEN not in listed
    assert not PublicReport.objects.exists()


def test_a_publicly_noticed_project_is_named_and_takes_reports(cast):
    project = started(cast, name="乐丰村已公示的项目", noticed=True)
    page = Client().get(f"/report/project/{project.pk}/")
    assert page.status_code == 200 and "乐丰村已公示的项目" in page.content.decode()
    posted = Client().post(
        f"/report/project/{project.pk}/", {"project_number": project.pk, "content": CONTENT}
    )
    assert posted.status_code == 302 and PublicReport.objects.get().project == project


def test_an_official_reports_on_their_own_project_before_its_notice_but_not_on_another_townships(
    cast,
):
    project = started(cast)
    url = f"/report/project/{project.pk}/"
    own = cast.client(cast.user("village_secretary", "A1")).get(url)
    assert own.status_code == 200 and HIDDEN in own.content.decode()
    other = cast.client(cast.user("township_lead", "B")).get(url)
    assert other.status_code == 404 and HIDDEN not in other.content.decode()


def test_300_posts_without_cookies_are_cut_off_at_the_address_limit(cast, settings, capsys):
    limit, window = settings.QIYUE_RATE_LIMITS["report"]
    project = started(cast, name="乐丰村已公示的项目", noticed=True)
    url = f"/report/project/{project.pk}/"
    statuses, waits = [], set()
    for _ in range(300):
        response = Client().post(
            url, {"project_number": project.pk, "content": CONTENT, "anonymous": "on"}
        )
        statuses.append(response.status_code)
        if response.status_code == 429:
            waits.add(int(response["Retry-After"]))
            assert "请求过于频繁" in response.content.decode()
    assert statuses == [302] * limit + [429] * (300 - limit)
    assert PublicReport.objects.count() == limit == 20
    assert all(0 < wait <= window for wait in waits)
    with capsys.disabled():
        print(f"\n  {statuses.count(302)} of 300 accepted; waits shown {min(waits)}–{max(waits)} s")


def test_a_browser_keeping_or_forging_the_old_cookie_changes_nothing(cast, settings):
    limit, _window = settings.QIYUE_RATE_LIMITS["report"]
    project = started(cast, name="乐丰村已公示的项目", noticed=True)
    url = f"/report/project/{project.pk}/"
    browser = Client()
    forged = get_cookie_signer(salt="processes.report_views.rate").sign("1,2,3,4,5,6,7,8,9")
    browser.cookies["qiyue_reports"] = "tampered"
    first = browser.post(url, {"project_number": project.pk, "content": CONTENT})
    assert first.status_code == 302 and not first.cookies  # the page sets no counter
    browser.cookies["qiyue_reports"] = forged
    accepted = 1 + sum(
        browser.post(url, {"project_number": project.pk, "content": CONTENT}).status_code == 302
        for _ in range(limit + 5)
    )
    assert accepted == limit and PublicReport.objects.count() == limit
