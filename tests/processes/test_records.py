"""Records officials read: dates that follow the periods, money with separators, labels that
name what they label (issue 15 §2)."""

from processes.models import ImplementationMode

from ..flowdriver import Driver, years_back


def claim(cast, driver, project, role, key):
    """The open step claimed by ``role`` at ``key``: (its client, its form's address)."""
    task = driver.open_task(project)
    client = cast.client(cast.user(role, key))
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    return client, task.flow_task.reverse("execute", args=[task.process_id, task.pk])


# --- money ---------------------------------------------------------------------------


def test_the_funds_error_prints_the_approved_amount_with_separators(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="500000.00")
    driver.run(project, until="funds_issue")
    client, url = claim(cast, driver, project, "county_finance_bureau", "county")
    response = client.post(
        url,
        {
            "funds_doc_no": "织财农〔2026〕1号",
            "funds_issued": "600000.00",
            "funds_issued_on": "2026-10-20",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "¥500,000.00" in page and "¥500000.00" not in page


# --- labels --------------------------------------------------------------------------


def test_notifications_and_signing_seats_are_not_labelled_as_document_type(cast):
    lead = cast.user("township_lead", "A")
    page = cast.client(lead).get("/oversight/notifications/").content.decode()
    assert "文书类型" not in page
    page = cast.client(lead).get("/approvals/sign-offs/").content.decode()
    assert "文书类型" not in page


def test_signing_seat_has_its_own_label():
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Signing as") == "签核身份"


# --- dates of post-maintenance ---------------------------------------------------------


def test_period_rules_at_their_boundaries():
    import datetime

    import pytest

    from processes.rules import RuleViolation
    from processes.rules.periods import check_notice_dates, check_payout_date, check_report_date

    end = datetime.date(2026, 3, 31)
    day = datetime.timedelta(days=1)
    check_report_date(end, 1, end)  # from the year's last day
    with pytest.raises(RuleViolation):
        check_report_date(end - day, 1, end)
    assert check_notice_dates(end, end + 9 * day, end, end + 9 * day) == []
    fields = [f for f, _ in check_notice_dates(end - day, end + 3 * day, end, end + 4 * day)]
    assert fields == ["notice_start", "notice_end"]
    check_payout_date(end, end)
    with pytest.raises(RuleViolation):
        check_payout_date(end - day, end)


def dividend_project(cast, **start):
    driver = Driver(cast, "A2")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="300000.00", **start)
    driver.run(project, until="maintenance_report")
    return driver, project


def test_a_yearly_report_cannot_be_made_before_its_agreement_year_is_over(cast):
    driver, project = dividend_project(cast)  # the agreement started a week ago
    end = project.dividend_years.get(year=1).period_end
    client, url = claim(cast, driver, project, "operator", "A")
    response = client.post(url, {"income": "120000.00", "condition": "运行正常。"})
    assert response.status_code == 200
    assert "income" in response.context["form"].errors
    page = response.content.decode()
    assert f"第1个协议年度的报告自{end.isoformat()}起方可填报" in page
    assert not project.maintenance_reports.exists()


def test_a_direct_subsidy_report_waits_for_the_year_counted_from_the_households_agreements(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="maintenance_report")
    client, url = claim(cast, driver, project, "village_secretary", "A1")
    response = client.post(url, {"income": "0.00", "condition": "运行正常。"})
    assert response.status_code == 200 and "income" in response.context["form"].errors
    assert not project.maintenance_reports.exists()


def test_the_dividend_notice_and_payout_follow_the_year_and_the_report(cast):
    import datetime

    from processes import demo

    driver, project = dividend_project(cast, meeting_date=years_back(1))
    driver.step(project, "maintenance_report")  # reported today
    driver.step(project, "maintenance_review")
    year = project.dividend_years.get(year=1)
    today = datetime.date.today()
    day = datetime.timedelta(days=1)
    client, url = claim(cast, driver, project, "village_secretary", "A2")

    def notice(start, end):
        data = {
            "decision": "approve",
            "reason": "同意",
            "notice_start": start.isoformat(),
            "notice_end": end.isoformat(),
            "notice_objections": "",
        }
        return client.post(url, data)

    too_early = notice(year.period_end - 2 * day, year.period_end + 8 * day)
    assert too_early.status_code == 200
    assert "notice_start" in too_early.context["form"].errors
    assert "公示自" in too_early.content.decode()
    before_report = notice(today - 11 * day, today - day)
    assert before_report.status_code == 200
    assert "notice_end" in before_report.context["form"].errors
    assert "不能早于生成分红名单的年度报告" in before_report.content.decode()
    year.refresh_from_db()
    assert year.status == "computed" and year.notice_end is None

    assert notice(today - 9 * day, today).status_code == 302
    year.refresh_from_db()
    assert year.notice_end == today

    client, url = claim(cast, driver, project, "operator", "A")
    early = {**demo.payout_in_full(project), "paid_on": (today - day).isoformat()}
    response = client.post(url, early)
    assert response.status_code == 200 and "paid_on" in response.context["form"].errors
    assert "公示期满" in response.content.decode()
    ahead = {**demo.payout_in_full(project), "paid_on": (today + day).isoformat()}
    response = client.post(url, ahead)
    assert response.status_code == 200 and "paid_on" in response.context["form"].errors
    assert "尚未到来" in response.content.decode()
    year.refresh_from_db()
    assert year.status == "published"
    assert client.post(url, demo.payout_in_full(project)).status_code == 302


# --- renewal ---------------------------------------------------------------------------


def test_the_renewal_form_shows_the_last_agreed_rate_and_offers_one_that_passes(cast):
    import datetime
    from decimal import Decimal

    from processes import demo

    driver, project = dividend_project(cast, meeting_date=years_back(3))
    demo.advance_to(project, "term_end")  # 6.00 % rising 0.50 a year: year 3 at 7.00 %
    lead, url = claim(cast, driver, project, "township_lead", "A")
    response = lead.get(url)
    form = response.context["form"]
    assert form["first_year_rate"].value() == Decimal("7.50")
    assert "上次约定比例：7.00%" in response.content.decode()

    fields = ("term_years", "first_year_rate", "yearly_increase", "collateral_value")
    renew = {name: str(form[name].value()) for name in fields}
    renew.update(
        outcome="renew",
        reason="合作良好，续签。",
        signed_on=datetime.date.today().isoformat(),
        collateral_description=form["collateral_description"].value(),
    )
    assert lead.post(url, renew).status_code == 302
    assert project.agreements.get(number=2).first_year_rate == Decimal("7.50")


def test_a_household_paid_short_is_flagged_on_the_project_page_as_on_the_ledger(cast):
    from decimal import Decimal

    from processes import demo

    driver, project = dividend_project(cast, meeting_date=years_back(1))
    for step in ("maintenance_report", "maintenance_review", "dividend_notice"):
        driver.step(project, step)
    share = project.dividend_years.get(year=1).shares.order_by("pk").first()
    data = demo.payout_in_full(project)
    data[f"paid_{share.pk}"] = str(Decimal(data[f"paid_{share.pk}"]) - 100)
    driver.step(project, "dividend_payout", data=data)  # the village's parts are paid in full

    lead = cast.client(cast.user("township_lead", "A"))
    flagged = lead.get("/projects/ledger/").context["flagged"]
    assert [(y.year, y.short, y.short_households) for y in flagged] == [(1, True, 1)]
    page = lead.get(f"/projects/{project.pk}/").content.decode()
    schedule = page.split('class="mdc-card vf-card qy-card qy-dividends"', 1)[1].split("</table>")[
        0
    ]
    assert '<span class="qy-flag">少付</span> (1户)' in schedule
