"""The lists officials open all day cost an exact number of queries, pinned, and the same number
however many projects they show: pages aggregate in the database (STYLE.md, "Shape")."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from .flowdriver import Driver

# (who, page, queries): each the whole page as that official gets it, menus and badges included.
PAGES = [
    ("township_work_station", "A", "/", 19),
    ("township_work_station", "A", "/workflow/queue/", 18),
    ("township_work_station", "A", "/workflow/inbox/", 13),
    ("village_secretary", "A1", "/workflow/archive/", 14),
    ("township_work_station", "A", "/projects/", 11),
    ("county_poverty_office", "county", "/projects/", 11),
    ("county_poverty_office", "county", "/projects/ledger/", 10),
    ("township_lead", "A", "/supervision/", 11),
    ("county_poverty_office", "county", "/supervision/county/", 10),
    ("county_discipline", "county", "/supervision/reports/", 8),
    ("county_poverty_office", "county", "/oversight/dashboard/", 12),
    ("county_poverty_office", "county", "/oversight/notifications/", 9),
    ("county_finance_bureau", "county", "/approvals/sign-offs/", 8),
    ("county_finance_bureau", "county", "/approvals/copies/", 8),
]


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(ctx.captured_queries)


NUMBERS = itertools.count(1)


def add_projects(cast, count, until):
    driver = Driver(cast, "A1")
    for _ in range(count):
        name = f"{until}项目{next(NUMBERS)}"
        project = driver.start(name=name, mode="equity_dividend", funds="100000.00")
        driver.run(project, until=until)


@pytest.fixture
def measured(cast):
    clients = {}

    def measure():
        counts = {}
        for role, key, url, _pinned in PAGES:
            client = clients.setdefault((role, key), cast.client(cast.user(role, key)))
            client.get(url)  # first visit: session and per-process caches warm
            counts[role, key, url] = queries_for(client, url)
        return counts

    return measure


def test_each_list_costs_its_pinned_queries_however_many_projects(cast, measured):
    add_projects(cast, 1, "township_review")
    add_projects(cast, 1, "county_acceptance")
    few = measured()
    add_projects(cast, 3, "township_review")
    add_projects(cast, 2, "county_acceptance")
    many = measured()
    assert many == few
    assert few == {(role, key, url): pinned for role, key, url, pinned in PAGES}
