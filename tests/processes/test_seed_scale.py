"""seed_scale: a small province has the shape of a big one (every stage of the mix, the flow's
own rows for each clone, an intact audit chain), its accounts log in and see their pages,
and a village's official sees that village's projects only."""

import json
from collections import Counter
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import STATUS

from ground.audit import verify_chain
from ground.models import AuditEntry
from processes.management.commands.seed_scale import write_accounts
from processes.models import FundMovement, Project
from processes.scale import MIX, build
from workflow.tasks import ScopedTask

from ..module_db import FAST_HASHING, module_transaction

pytestmark = pytest.mark.django_db


def open_steps() -> dict[int, str | None]:
    """Each project's open step (None when its process has finished)."""
    steps = dict.fromkeys(Project.objects.values_list("pk", flat=True))
    for project_id, name in ScopedTask.objects.filter(
        flow_task_type="HUMAN", status__in=[STATUS.NEW, STATUS.ASSIGNED]
    ).values_list("process__projectprocess__project", "flow_task"):
        assert steps[project_id] is None, "one open step per project"
        steps[project_id] = name.name
    return steps


@pytest.fixture(scope="module")
def province(django_db_setup, django_db_blocker, tmp_path_factory):
    """One province of 60 projects for the module (the templates' flow runs cost seconds),
    built in a transaction each test nests in and rolled back at the end."""
    path = tmp_path_factory.mktemp("scale") / "accounts.json"
    with FAST_HASHING, module_transaction(django_db_blocker):
        built = build(60, counties=1, townships=2, villages=3)
        write_accounts(built["accounts"], path)
        yield SimpleNamespace(
            accounts=json.loads(path.read_text(encoding="utf-8")), cloner=built["cloner"]
        )


def test_a_small_province_has_every_stage_and_the_flows_own_rows(province):
    steps = open_steps()
    assert len(steps) == 60
    assert Project.objects.values("village").distinct().count() == 6
    # Each clone copies one template: the clones of a template stand at its step, with its rows.
    by_name = Counter(steps.values())
    assert len(by_name) >= len({stands for stands, *_rest in MIX}) - 1  # sent back: application
    assert by_name[None] >= 1 and by_name["maintenance_report"] >= 2
    movements = Counter(FundMovement.objects.values_list("project", flat=True))
    audit = Counter(AuditEntry.objects.values_list("project_id", flat=True))
    finished = [pk for pk, step in steps.items() if step is None]
    assert {movements[pk] for pk in finished} == {movements[finished[0]]} != {0}
    assert {audit[pk] for pk in finished} == {audit[finished[0]]}
    assert verify_chain() is None


def test_every_account_from_the_json_opens_its_pages(province):
    province = province.accounts
    assert {row["level"] for row in province} == {"county", "township", "village"}
    assert {"username", "password", "role", "level", "region"} <= set(province[0])
    for account in province:
        client = Client()
        assert client.login(username=account["username"], password=account["password"])
        for url in ("/", "/workflow/inbox/", "/workflow/queue/", "/projects/"):
            assert client.get(url).status_code == 200, (account["username"], url)
        if account["role_code"] != "operator":
            assert client.get("/projects/ledger/").status_code == 200


def test_a_village_official_sees_only_that_villages_projects(province):
    secretary = next(a for a in province.accounts if a["role_code"] == "village_secretary")
    client = Client()
    client.login(username=secretary["username"], password=secretary["password"])
    page = client.get("/projects/")
    listed = page.context["paginator"].object_list
    village_name = secretary["region"].rsplit("/", 1)[1]
    township_name = secretary["region"].split("/")[1]
    mine = Project.objects.filter(village__name=village_name, village__parent__name=township_name)
    assert page.context["paginator"].count == mine.count() >= 10
    assert {p.village.name for p in listed} == {village_name}
    other = Project.objects.exclude(pk__in=mine).first()
    assert client.get(f"/projects/{other.pk}/").status_code == 404
    assert client.get(f"/projects/{mine.first().pk}/").status_code == 200


# (role code, page): the project list and the ledger of each level, whole pages.
PAGES = [
    (role, url)
    for role in ("village_secretary", "township_work_station", "county_poverty_office")
    for url in ("/projects/", "/projects/ledger/")
]


def queries(clients) -> dict:
    counts = {}
    for (role, url), client in clients.items():
        client.get(url)  # first visit: session and per-process caches warm
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[role, url] = len(ctx.captured_queries)
    return counts


def test_the_project_list_and_ledger_cost_the_same_queries_at_two_sizes(province):
    accounts = {a["role_code"]: a for a in province.accounts}
    clients = {}
    for role, url in PAGES:
        clients[role, url] = Client()
        clients[role, url].force_login(
            get_user_model().objects.get(username=accounts[role]["username"])
        )
    small = queries(clients)
    province.cloner.run(120)  # 60 -> 180 projects
    assert Project.objects.count() == 180
    assert queries(clients) == small
    assert small == {
        ("village_secretary", "/projects/"): 10,
        ("village_secretary", "/projects/ledger/"): 10,
        ("township_work_station", "/projects/"): 11,
        ("township_work_station", "/projects/ledger/"): 10,
        ("county_poverty_office", "/projects/"): 11,
        ("county_poverty_office", "/projects/ledger/"): 10,
    }
