"""The demo county: seed_demo builds it once, a second run adds nothing, and
demo_accounts lists every official with a password that logs in.

The county is built once for the module (about seven seconds on SQLite, twelve on
PostgreSQL), in a transaction each test nests in and that is rolled back at the end (once
per xdist worker that runs one of them)."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, override_settings
from guardian.models import UserObjectPermission
from viewflow.workflow.models import Task

from ground.audit import verify_chain
from ground.models import AuditEntry
from permissions.models import Region
from permissions.roles import REGION_ROLES
from processes.models import Beneficiary, Household, Operator, Project
from processes.stages import STAGES
from processes.views import stage_code, with_current_step
from workflow.models import DeadlineAlert, Notification

from ..module_db import FAST_HASHING, module_transaction

MODELS = [
    Region,
    get_user_model(),
    Operator,
    Household,
    Project,
    Beneficiary,
    Task,
    UserObjectPermission,
    AuditEntry,
    DeadlineAlert,
    Notification,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture(scope="module")
def demo_county(django_db_setup, django_db_blocker, tmp_path_factory):
    """``seed_demo`` run once for the module, with what the autouse fixtures give each test
    (fast password hashing, media and keys in a temporary directory)."""
    tmp = tmp_path_factory.mktemp("demo")
    files = override_settings(MEDIA_ROOT=tmp / "media", QIYUE_PAPERS_INLINE=True)
    with FAST_HASHING, files, pytest.MonkeyPatch.context() as patch:
        patch.setenv("QIYUE_KEY_DIR", str(tmp / "keys"))
        with module_transaction(django_db_blocker):
            call_command("seed_demo", stdout=io.StringIO())
            yield


def test_seed_demo_twice_builds_the_county_once(demo_county, db):
    first = counts()  # after the first run (the fixture's)
    call_command("seed_demo", stdout=io.StringIO())

    assert counts() == first
    county = Region.objects.get(name="织金县", parent=None)
    townships = set(county.children.values_list("name", flat=True))
    assert {"珠藏镇", "桂果镇", "茶店乡"} <= townships
    for township in county.children.all():
        assert township.children.count() >= 2
    # A dozen projects over every stage a project can wait in, and every mode. (The
    # planning meeting opens the project, so none waits in "planning".)
    projects = list(with_current_step(Project.objects.all()))
    assert len(projects) >= 12
    waiting_stages = {code for code, _label, _nodes in STAGES} - {"planning"}
    assert {stage_code(p) for p in projects} >= waiting_stages | {"finished"}
    assert {p.mode for p in projects} == {
        "direct_subsidy",
        "guaranteed_dividend",
        "equity_dividend",
    }
    assert verify_chain() is None
    # The demo's late public notice has been escalated to the county by the sweep (once).
    late = Project.objects.get(name="新华村蛋鸡养殖项目")
    assert DeadlineAlert.objects.filter(task__process=late.process, level="escalation").exists()


def test_demo_accounts_json_lists_every_role_at_every_region_with_working_passwords(
    demo_county, db
):
    out = io.StringIO()
    call_command("demo_accounts", "--json", stdout=out)
    accounts = json.loads(out.getvalue())

    assert all({"username", "password", "role", "level", "region"} <= set(a) for a in accounts)
    assert {a["level"] for a in accounts} == {"county", "township", "village"}
    villages = Region.objects.filter(level="village").count()
    townships = Region.objects.filter(level="township").count()
    expected = sum(
        {"county": 1, "township": townships, "village": villages}[r.level] for r in REGION_ROLES
    )
    assert len([a for a in accounts if a["role_code"] != "operator"]) == expected
    secretary = next(
        a
        for a in accounts
        if a["role_code"] == "village_secretary" and a["region"].startswith("织金县/珠藏镇/")
    )
    assert secretary["region"].count("/") == 2
    client = Client()
    assert client.login(username=secretary["username"], password=secretary["password"])
    assert client.get("/projects/").status_code == 200


def test_the_demo_county_has_a_discipline_office_in_every_township(demo_county, db):
    from processes.demo_county import demo_accounts

    offices = {r["username"]: r["region"] for r in demo_accounts() if r["role"] == "乡镇纪委"}
    assert offices == {
        "zhuzang_discipline": "织金县/珠藏镇",
        "guiguo_discipline": "织金县/桂果镇",
        "chadian_discipline": "织金县/茶店乡",
    }
