"""The supervisor dashboard (督办看板): counts against a seeded set of projects at known steps
and ages, each official's region only, and a query count that does not grow with projects.

The seeded set is seen on Mon 2025-11-03 (passed in as ``today``):

    甲 A1  township_review since Thu Oct 9   due Oct 15, escalated from Oct 22  → escalated
    乙 A2  application     since Mon Oct 13  due Oct 31                         → overdue
    丙 A1  application     since Mon Oct 20  due Nov 7, 10 working days idle    → stalled
    丁 A1  application     since Thu Oct 30                                     → on time
    己 A1  public_notice   since Mon Nov 3                                      → on time
    戊 B1  township_review since Thu Oct 9                                      → escalated
"""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from viewflow.workflow.status import STATUS

from processes import dashboard
from processes.models import ImplementationMode
from workflow.deadlines import live_tasks, refresh_clocks, refresh_worked
from workflow.tasks import ScopedTask

from ..flowdriver import Driver

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = datetime.date(2025, 11, 3)
URL = "/oversight/dashboard/"


def at(month, day, hour=9, year=2025):
    return datetime.datetime(year, month, day, hour, tzinfo=SHANGHAI)


def open_task(project):
    return ScopedTask.objects.get(
        process=project.process, flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    )


def set_times(task, created, finished=None):
    """Backdate a task, and re-time its stored deadline as the sweep would."""
    ScopedTask.objects.filter(pk=task.pk).update(created=created, finished=finished)
    refresh_clocks(live_tasks().filter(pk=task.pk))
    if finished is not None:
        refresh_worked(ScopedTask.objects.filter(pk=task.pk))


def rows(user, today=TODAY, **filters):
    """The dashboard's rows: every open task, or with ``filters`` those needing attention."""
    tasks = dashboard.attention(user, today, **filters) if filters else dashboard.open_tasks(user)
    return dashboard.rows_of(tasks, today)


def attention(user, **filters):
    return dashboard.rows_of(dashboard.attention(user, TODAY, **filters), TODAY)


def done_task(project, node):
    return ScopedTask.objects.get(
        process=project.process, flow_task__endswith=f".{node}", status=STATUS.DONE
    )


def seed(cast, name, village, until, since):
    driver = Driver(cast, village)
    project = driver.start(name=name, mode=ImplementationMode.DIRECT_SUBSIDY)
    driver.run(project, until=until)
    set_times(open_task(project), since)
    return project


@pytest.fixture
def seeded(cast):
    projects = {
        "甲": seed(cast, "甲", "A1", "township_review", at(10, 9)),
        "乙": seed(cast, "乙", "A2", "application", at(10, 13)),
        "丙": seed(cast, "丙", "A1", "application", at(10, 20)),
        "丁": seed(cast, "丁", "A1", "application", at(10, 30)),
        "己": seed(cast, "己", "A1", "public_notice", at(11, 3)),
        "戊": seed(cast, "戊", "B1", "township_review", at(10, 9)),
    }
    # completed steps for the medians (working days): 甲 application 2; 己 application 4,
    # township review 1 → township A, application stage: median of [2, 4, 1] = 2
    set_times(done_task(projects["甲"], "application"), at(9, 29), at(10, 9))
    set_times(done_task(projects["己"], "application"), at(10, 13), at(10, 17))
    set_times(done_task(projects["己"], "township_review"), at(10, 17), at(10, 20))
    lead = cast.user("township_lead", "A")
    projects["甲"].responsible_leader = lead
    projects["甲"].save(update_fields=["responsible_leader"])
    return projects


def names(rows):
    return sorted(row.project.name for row in rows)


def test_county_supervisor_sees_overdue_and_stalled_projects_of_every_township(cast, seeded):
    supervisor = cast.user("county_discipline")
    every = rows(supervisor)
    assert len(every) == 6
    status = {row.project.name: row.status for row in every}
    assert status == {
        "甲": "escalated",
        "乙": "overdue",
        "丙": "ok",
        "丁": "ok",
        "己": "ok",
        "戊": "escalated",
    }
    assert names(r for r in every if r.stalled) == ["丙"]
    assert names(attention(supervisor)) == ["丙", "乙", "戊", "甲"]
    age = {row.project.name: row.age for row in every}
    assert (age["甲"], age["乙"], age["丙"], age["丁"]) == (18, 15, 10, 2)


def test_filters_by_township_stage_leader_and_age(cast, seeded):
    office = cast.user("county_poverty_office")
    a, b = cast.regions["A"], cast.regions["B"]
    assert names(attention(office, township=b.pk)) == ["戊"]
    assert names(attention(office, township=a.pk, show="overdue")) == ["乙", "甲"]
    assert names(attention(office, show="stalled")) == ["丙"]
    assert names(attention(office, stage="application")) == ["丙", "乙", "戊", "甲"]
    assert names(attention(office, stage="notice")) == []
    lead = cast.user("township_lead", "A")
    assert names(attention(office, leader=lead.pk)) == ["甲"]
    assert names(attention(office, min_age=16)) == ["戊", "甲"]
    assert names(attention(office, min_age=18)) == ["戊", "甲"]  # 18 working days, exactly
    assert names(attention(office, min_age=19)) == []


def test_heatmap_counts_overdue_projects_by_township_and_stage(cast, seeded):
    table = dashboard.heatmap(cast.user("county_discipline"), TODAY)
    counts = {
        (line["township"].name, cell["stage"]): cell["count"]
        for line in table
        for cell in line["cells"]
        if cell["count"]
    }
    assert counts == {("珠藏镇", "application"): 2, ("桂果镇", "application"): 1}
    shade = {line["township"].name: line["cells"][1]["shade"] for line in table}
    assert shade == {"珠藏镇": 1.0, "桂果镇": 0.5}


def test_median_working_days_per_stage_and_township(cast, seeded):
    table = {
        line["township"]: line["cells"]
        for line in dashboard.median_working_days(cast.user("county_discipline"))
    }
    assert table["珠藏镇"][1] == 2  # application stage: [2, 4, 1]
    assert table["桂果镇"][1] == 0  # 戊's application: submitted the moment it opened
    assert table["珠藏镇"][2] is None  # no public notice completed yet


def test_township_lead_sees_only_their_township(cast, seeded):
    assert names(rows(cast.user("township_lead", "B"))) == ["戊"]
    seen = rows(cast.user("township_lead", "A"))
    assert "戊" not in names(seen) and len(seen) == 5
    assert [
        line["township"].name for line in dashboard.heatmap(cast.user("township_lead", "B"), TODAY)
    ] == ["桂果镇"]
    assert list(dashboard.median_working_days(cast.user("township_lead", "B"))) == [
        {"township": "桂果镇", "cells": [None, 0] + [None] * 7}
    ]


# --- Through HTTP (today's clock: tasks backdated two months from now) ----------------


@pytest.fixture
def overdue_now(cast):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    a = seed(cast, "珠藏镇超期项目", "A1", "township_review", long_ago)
    b = seed(cast, "桂果镇超期项目", "B1", "township_review", long_ago)
    return a, b


def test_dashboard_page_lists_rows_with_drill_down_and_heatmap(cast, overdue_now):
    a, b = overdue_now
    page = cast.client(cast.user("county_discipline")).get(URL)
    assert page.status_code == 200
    html = page.content.decode()
    assert "督办看板" in html
    assert f'href="/projects/{a.pk}/"' in html and f'href="/projects/{b.pk}/"' in html
    assert "已升级督办" in html
    # The busiest cell is the darkest shade (qiyue.css), in white letters.
    assert 'class="qy-cell qy-shade-10 qy-shade--dark" data-stage="application"' in html
    # A stage with no overdue project says 0 (in grey), never a blank that reads as missing.
    assert 'class="qy-cell qy-shade-0 qy-cell--none" data-stage="approval">0</td>' in html


def test_township_b_lead_sees_none_of_township_as_rows(cast, overdue_now):
    a, b = overdue_now
    html = cast.client(cast.user("township_lead", "B")).get(URL).content.decode()
    assert b.name in html and a.name not in html and "珠藏镇" not in html
    filtered = cast.client(cast.user("township_lead", "B")).get(
        URL, {"township": cast.regions["A"].pk}
    )
    assert a.name not in filtered.content.decode()


@pytest.mark.parametrize("role, key", [("village_secretary", "A1"), ("township_work_station", "A")])
def test_officials_without_oversight_get_403(cast, role, key):
    assert cast.client(cast.user(role, key)).get(URL).status_code == 403


def test_urge_is_offered_only_to_those_who_may_urge(cast, overdue_now):
    a, b = overdue_now
    lead = cast.client(cast.user("township_lead", "A")).get(URL).content.decode()
    assert lead.count('class="qy-urge"') == 1
    finance = cast.client(cast.user("county_finance_bureau")).get(URL).content.decode()
    assert a.name in finance and 'class="qy-urge"' not in finance


def test_deadlines_in_a_year_not_yet_announced_are_marked_provisional(cast):
    """A 300-working-day limit reaches past the last year the holiday package holds: the
    deadline is still computed, from the statutory holidays, and the page says so."""
    from ground.calendar import LAST_YEAR
    from workflow.models import StageLimit

    StageLimit.objects.create(county=cast.regions["county"], node="application", working_days=300)
    project = Driver(cast, "A1").start(name="庚", mode=ImplementationMode.DIRECT_SUBSIDY)
    every = rows(cast.user("county_poverty_office"), timezone.localdate())
    row = next(r for r in every if r.project == project)
    assert row.deadline is not None and row.deadline.due.year > LAST_YEAR
    page = cast.client(cast.user("county_poverty_office")).get(URL).content.decode()
    assert f"{LAST_YEAR}年以后的办理时限为暂定" in page


def test_medians_are_shown_in_one_format(cast, seeded):
    """Half days occur (a median of an even count), so every median has one decimal."""
    page = cast.client(cast.user("county_discipline")).get(URL).content.decode()
    medians = page.split('class="qy-table qy-medians"', 1)[1].split("</table>", 1)[0]
    cells = re.findall(r"<td>([^<]*)</td>", medians)
    assert "2.0" in cells and "0.0" in cells
    assert all(cell == "—" or re.fullmatch(r"\d+\.\d", cell) for cell in cells)


def test_supervisors_are_told_deadlines_are_provisional_not_to_update_software(cast):
    from ground.calendar import LAST_YEAR
    from workflow.models import StageLimit

    StageLimit.objects.create(county=cast.regions["county"], node="application", working_days=300)
    Driver(cast, "A1").start(name="庚", mode=ImplementationMode.DIRECT_SUBSIDY)
    page = cast.client(cast.user("county_discipline")).get(URL).content.decode()
    assert f"{LAST_YEAR}年以后的办理时限为暂定" in page
    assert "chinesecalendar" not in page and "软件包" not in page


def test_the_row_count_comes_from_the_summary_when_only_show_is_chosen(cast, seeded):
    office = cast.user("county_poverty_office")
    counts = dashboard.summary(office, TODAY)
    assert (counts["overdue"], counts["stalled"]) == (3, 1)
    for show in (None, "overdue", "stalled"):
        expected = dashboard.attention(office, TODAY, show=show).count()
        assert dashboard.attention_count(counts, show=show) == expected, show
    assert dashboard.attention_count(counts, township=cast.regions["A"].pk) is None
