"""The five-ones chain (五个一): a township lead's page, the county roll-up, and changing the
leader, team or policy set as an audited act, allowed to the township lead and the county
poverty office only."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from ground.audit import verify_chain
from ground.calendar import working_days_between
from ground.models import AuditEntry
from permissions.roles import TOWNSHIP_LEAD
from processes import chain
from processes.models import Project
from workflow.deadlines import deadline_of, live_tasks, refresh_clocks
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver


def rows_of(page: str) -> list[list[str]]:
    """The chain table's rows, each as the text of its cells."""
    rows = re.findall(r'<tr class="qy-chain-row[^"]*" data-project="\d+">(.*?)</tr>', page, re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
        ]
        for r in rows
    ]


def open_task(project):
    return ScopedTask.objects.get(process=project.process, finished__isnull=True)


def test_township_lead_sees_every_project_of_the_township_led_ones_first(cast):
    led = Driver(cast, "A1").start(name="乐丰村竹荪项目")
    Driver(cast, "A1").run(led, until="county_review")  # township review makes lead A its leader
    waiting = Driver(cast, "A2").start(name="大寨村茶叶项目")
    Driver(cast, "B1").start(name="牛场村项目")
    lead = cast.user("township_lead", "A")
    assert Project.objects.get(pk=led.pk).responsible_leader == lead

    page = cast.client(lead).get("/supervision/").content.decode()

    rows = rows_of(page)
    assert [r[1] for r in rows] == ["乐丰村竹荪项目", "大寨村茶叶项目"]  # not township B's
    star, name, place, leader, stage, holder, days, deadline, next_action = rows[0]
    assert star == "★" and leader == lead.get_full_name()
    assert stage == "审批"
    assert holder == "县扶贫办 · 织金县"  # waiting in the county poverty office's queue
    assert days == "0" and deadline == date_format(deadline_of(open_task(led)).due)
    assert next_action == open_task(led).flow_task.task_title
    assert rows[1][0] == "" and rows[1][4] == "项目申报" and rows[1][3] == "—"
    assert rows[1][5] == "村支两委 · 大寨村"  # the application waits for its village
    assert waiting.pk in {int(p) for p in re.findall(r'data-project="(\d+)"', page)}


def test_a_claimed_task_shows_its_holder_and_old_steps_count_as_stalled(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    task = open_task(project)
    secretary = cast.user("village_secretary", "A1")
    cast.client(secretary).post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    ScopedTask.objects.filter(pk=task.pk).update(
        created=timezone.now() - datetime.timedelta(days=35)
    )
    refresh_clocks(live_tasks().filter(pk=task.pk))  # as the nightly sweep re-times it

    page = cast.client(cast.user("township_lead", "A")).get("/supervision/").content.decode()

    (row,) = rows_of(page)
    assert row[5] == secretary.get_full_name()
    # working days, as the dashboard counts them (not 35 calendar days)
    working = working_days_between(
        timezone.localdate() - datetime.timedelta(days=35), timezone.localdate()
    )
    assert row[6] == f"{working} ⚠" and working < 35
    assert "qy-stalled" in page


def rollup_rows(page: str, table_class: str) -> dict[str, tuple[str, str]]:
    table = re.search(rf'<table class="qy-table {table_class}">(.*?)</table>', page, re.S).group(1)
    return {
        name: (stalled, total)
        for name, stalled, total in re.findall(
            r'<tr data-name="([^"]+)">.*?<td class="qy-stalled-count">(\d+)</td>'
            r'<td class="qy-total">(\d+)</td>',
            table,
            re.S,
        )
    }


def test_county_view_rolls_the_chain_up_by_township_and_by_leader(cast):
    a1 = Driver(cast, "A1")
    first = a1.start(name="A一")
    a1.run(first, until="county_review")
    a1.start(name="A二")
    Driver(cast, "B1").start(name="B一")
    ScopedTask.objects.filter(process=first.process, finished__isnull=True).update(
        created=timezone.now() - datetime.timedelta(days=40)
    )
    refresh_clocks(live_tasks().filter(process=first.process))

    page = cast.client(cast.user("county_poverty_office")).get("/supervision/county/")
    page = page.content.decode()

    assert rollup_rows(page, "qy-by-township") == {"桂果镇": ("0", "1"), "珠藏镇": ("1", "2")}
    lead = cast.user("township_lead", "A").get_full_name()
    assert rollup_rows(page, "qy-by-leader") == {lead: ("1", "1"), "未确定责任领导": ("0", "2")}
    # and the same rows per stage: one in approval, two in application
    by_township = chain.rollup(cast.user("county_poverty_office"))[0]
    assert {r.name: dict(r.per_stage) for r in by_township} == {
        "桂果镇": {"application": 1},
        "珠藏镇": {"approval": 1, "application": 1},
    }


def test_chain_pages_do_not_grow_with_the_number_of_projects(cast):
    def queries(client, url):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    lead = cast.client(cast.user("township_lead", "A"))
    county = cast.client(cast.user("county_poverty_office"))
    driver = Driver(cast, "A1")
    for n in range(2):
        driver.start(name=f"少{n}")
    queries(lead, "/supervision/")  # warm the per-process caches (content types)
    few = [queries(lead, "/supervision/"), queries(county, "/supervision/county/")]
    for n in range(4):
        project = driver.start(name=f"多{n}")
        if n % 2:
            driver.run(project, until="county_review")
    many = [queries(lead, "/supervision/"), queries(county, "/supervision/county/")]
    assert many == few, (few, many)


def five_ones_url(project):
    return f"/supervision/projects/{project.pk}/five-ones/"


def test_township_lead_changes_the_leader_and_team_with_a_reason_recorded_in_history(cast):
    project = Driver(cast, "A1").start(name="乐丰村竹荪项目")
    lead = cast.user("township_lead", "A")
    new_leader = f.official(TOWNSHIP_LEAD, cast.regions["A"], username="township_lead_A_2")
    client = cast.client(lead)
    assert client.get(five_ones_url(project)).status_code == 200

    response = client.post(
        five_ones_url(project),
        {
            "responsible_leader": new_leader.pk,
            "team": "乡扶贫工作站、农业服务中心",
            "policy_set": "到户产业扶持政策",
            "reason": "原责任领导调任",
        },
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.responsible_leader == new_leader
    assert project.team == "乡扶贫工作站、农业服务中心"
    entry = AuditEntry.objects.get(act="project.five_ones")
    assert entry.actor == lead and entry.project_id == project.pk
    assert entry.reason == "原责任领导调任"
    assert entry.before == {"responsible_leader": None, "team": "", "policy_set": ""}
    assert entry.after == {
        "responsible_leader": new_leader.pk,
        "team": "乡扶贫工作站、农业服务中心",
        "policy_set": "到户产业扶持政策",
    }
    assert verify_chain() is None
    history = client.get(f"/projects/{project.pk}/").content.decode()
    assert "调整五个一" in history and "原责任领导调任" in history


def test_county_poverty_office_may_change_the_five_ones_too(cast):
    project = Driver(cast, "A1").start()
    response = cast.client(cast.user("county_poverty_office")).post(
        five_ones_url(project), {"team": "县级工作组", "policy_set": "", "reason": "加强力量"}
    )
    assert response.status_code == 302
    assert Project.objects.get(pk=project.pk).team == "县级工作组"


def test_a_change_without_a_reason_saves_nothing(cast):
    project = Driver(cast, "A1").start()
    response = cast.client(cast.user("township_lead", "A")).post(
        five_ones_url(project), {"team": "新班子", "reason": ""}
    )
    assert response.status_code == 200
    assert "这是必填项" in response.content.decode() or "必填" in response.content.decode()
    assert Project.objects.get(pk=project.pk).team == ""
    assert not AuditEntry.objects.filter(act="project.five_ones").exists()


def test_others_may_not_change_the_five_ones(cast):
    project = Driver(cast, "A1").start()
    data = {"team": "x", "reason": "y"}
    for role, region in [
        ("township_work_station", "A"),
        ("village_secretary", "A1"),
        ("county_discipline", "county"),
    ]:
        client = cast.client(cast.user(role, region))
        assert client.get(five_ones_url(project)).status_code == 403, role
        assert client.post(five_ones_url(project), data).status_code == 403, role
    outsider = cast.client(cast.user("township_lead", "B"))
    assert outsider.get(five_ones_url(project)).status_code == 404
    assert outsider.post(five_ones_url(project), data).status_code == 404
    assert cast.client(cast.user("operator", "A")).get(five_ones_url(project)).status_code == 403
    assert Project.objects.get(pk=project.pk).team == ""


def test_only_those_who_may_change_it_see_the_change_link(cast):
    project = Driver(cast, "A1").start()
    url = f"/projects/{project.pk}/"
    assert (
        five_ones_url(project)
        in cast.client(cast.user("township_lead", "A")).get(url).content.decode()
    )
    station = cast.client(cast.user("township_work_station", "A")).get(url).content.decode()
    assert five_ones_url(project) not in station


def test_changing_the_five_ones_says_it_was_done_and_can_be_cancelled(cast):
    project = Driver(cast, "A1").start(name="乐丰村竹荪项目")
    client = cast.client(cast.user("township_lead", "A"))
    form = client.get(five_ones_url(project)).content.decode()
    assert f'href="/projects/{project.pk}/"' in form and "取消" in form
    assert "<vf-field-select" in form  # the site's Material select, not a native one

    response = client.post(
        five_ones_url(project),
        {"team": "乡扶贫工作站", "policy_set": "到户产业扶持政策", "reason": "充实工作队"},
        follow=True,
    )

    assert response.redirect_chain == [(f"/projects/{project.pk}/", 302)]
    assert "五个一已调整" in response.content.decode()
