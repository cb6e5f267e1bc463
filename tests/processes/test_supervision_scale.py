"""The supervision pages at two sizes: 督办看板, 我的五个一 and 五个一汇总 take exactly the
same number of queries with 3 projects as with 9 (counted in the database, a page of rows
built), and the long lists show page 2 with the filters kept."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from processes import chain, dashboard
from processes.models import ImplementationMode
from workflow.deadlines import live_tasks, refresh_clocks
from workflow.tasks import ScopedTask

from ..flowdriver import Driver

DASHBOARD, CHAIN, COUNTY = "/oversight/dashboard/", "/supervision/", "/supervision/county/"
VILLAGES = ("A1", "A2", "B1")


def queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx.captured_queries)


def add_overdue(cast, names, until="township_review", days_ago=60):
    """Projects whose open step arrived ``days_ago`` days ago (re-timed, as by the sweep)."""
    projects = []
    for n, name in enumerate(names):
        driver = Driver(cast, VILLAGES[n % len(VILLAGES)])
        project = driver.start(name=name, mode=ImplementationMode.DIRECT_SUBSIDY)
        driver.run(project, until=until)
        tasks = ScopedTask.objects.filter(process=project.process, finished__isnull=True)
        tasks.update(created=timezone.now() - datetime.timedelta(days=days_ago + n))
        projects.append(project)
    refresh_clocks(live_tasks())
    return projects


def shown(page: bytes) -> list[int]:
    return [int(pk) for pk in re.findall(r'data-project="(\d+)"', page.decode())]


# Exact counts: session, user, roles and regions (once, for the menus and the scope), then the
# page's own: the dashboard's stall cutoff (twice), overview (counts and heatmap), page of
# rows, holders, leaders and medians; the chain's count, page of projects and their tasks;
# the roll-up's two aggregates.
PAGES = [
    ("county_discipline", "county", DASHBOARD, 14),
    ("township_lead", "A", DASHBOARD, 14),
    ("township_lead", "A", CHAIN, 11),
    ("county_poverty_office", "county", CHAIN, 11),
    ("county_poverty_office", "county", COUNTY, 10),
    ("township_lead", "A", COUNTY, 10),
]


@pytest.mark.parametrize("role, region, url, expected", PAGES)
def test_each_page_takes_the_same_queries_at_two_sizes(cast, role, region, url, expected):
    client = cast.client(cast.user(role, region))
    add_overdue(cast, ["少一", "少二", "少三"])
    queries(client, url)  # warm the per-process caches (content types)
    few = queries(client, url)
    add_overdue(cast, [f"多{n}" for n in range(6)], until="application")
    many = queries(client, url)
    assert (few, many) == (expected, expected)


def test_the_dashboard_shows_page_two_with_its_filters(cast, monkeypatch):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    oldest_first = add_overdue(cast, ["甲", "乙", "丙"], days_ago=60)[::-1]
    client = cast.client(cast.user("county_poverty_office"))

    first = client.get(DASHBOARD, {"show": "overdue"})
    assert shown(first.content) == [p.pk for p in oldest_first[:2]]
    assert 'href="?show=overdue&amp;page=2"' in first.content.decode()
    assert "第 1 页，共 2 页（共 3 条）" in first.content.decode()

    second = client.get(DASHBOARD, {"show": "overdue", "page": 2})
    assert shown(second.content) == [oldest_first[2].pk]
    assert client.get(DASHBOARD, {"page": "99"}).status_code == 200  # past the end: the last


def test_my_five_ones_shows_fifty_a_page_and_page_two(cast, monkeypatch):
    monkeypatch.setattr(chain, "PAGE_SIZE", 2)
    add_overdue(cast, ["甲", "乙", "丙"])
    lead = cast.client(cast.user("township_lead", "A"))
    county = cast.client(cast.user("county_poverty_office"))

    first, second = county.get(CHAIN), county.get(CHAIN, {"page": 2})
    assert len(shown(first.content)) == 2 and len(shown(second.content)) == 1
    assert set(shown(first.content)) | set(shown(second.content)) == {
        p.pk for p in chain.projects_under(cast.user("county_poverty_office"))
    }
    assert 'href="?page=2"' in first.content.decode()
    # the township lead's pages hold only township A's projects (甲 in A1, 乙 in A2)
    assert len(shown(lead.get(CHAIN).content)) == 2 and 'href="?page=2"' not in (
        lead.get(CHAIN).content.decode()
    )


def test_the_roll_up_counts_every_project_not_a_page(cast, monkeypatch):
    monkeypatch.setattr(chain, "PAGE_SIZE", 1)
    add_overdue(cast, ["甲", "乙", "丙"])
    by_township, by_leader = chain.rollup(cast.user("county_poverty_office"))
    assert {r.name: (r.total, r.stalled) for r in by_township} == {
        "珠藏镇": (2, 2),
        "桂果镇": (1, 1),
    }
    assert sum(r.total for r in by_leader) == 3
