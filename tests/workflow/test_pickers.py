"""People pickers offer only who can hold the part, each as 姓名（角色·地区）; the county
panel (会签) seats several members in one form; operations are offered only where they
can be done, and refused when posted anyway."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.workflow.status import PROCESS

from ground.audit import display_name
from ground.models import AuditEntry
from permissions.actions import grant_operator_access, grant_role
from permissions.roles import (
    COUNTY_FINANCE_BUREAU,
    COUNTY_LEADING_GROUP,
    TOWNSHIP_LEAD,
    TOWNSHIP_WORK_STATION,
)
from processes import demo
from processes.models import ImplementationMode, Project
from workflow import operations
from workflow.models import SignOff
from workflow.tasks import ScopedTask

from .. import factories as f
from ..flowdriver import Driver, years_back


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def claimed(cast, driver, project, role, key):
    task = driver.open_task(project)
    client = cast.client(cast.user(role, key))
    assert client.post(url(task, "assign")).status_code == 302
    task.refresh_from_db()
    return task, client


def choice_labels(field):
    return {label for value, label in field.choices if value}


def choice_users(field):
    return {int(str(value)) for value, _label in field.choices if value}


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("admin", password="x", full_name="系统管理员")


@pytest.fixture
def expert(db):
    """An outside expert: an account holding no role and acting for no operator."""
    return f.UserFactory(username="expert", full_name="外聘专家甲")


# --- 乡镇审核: the responsible leader ----------------------------------------------------


def test_township_review_offers_only_the_townships_leads_as_responsible_leader(cast, admin):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    task, client = claimed(cast, driver, project, "township_work_station", "A")
    retired = f.official(TOWNSHIP_LEAD, cast.regions["A"], username="retired_lead_A")
    retired.is_active = False
    retired.save(update_fields=["is_active"])

    field = client.get(url(task, "execute")).context["form"].fields["responsible_leader"]

    lead_a = cast.user("township_lead", "A")
    assert choice_users(field) == {lead_a.pk}  # not the county, not township B, not admin
    assert choice_labels(field) == {f"{display_name(lead_a)}（乡镇领导·珠藏镇）"}


def test_a_county_official_cannot_be_posted_as_township_responsible_leader(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    task, client = claimed(cast, driver, project, "township_work_station", "A")
    data = demo.step_data("township_review", project, "approve", "同意")
    data["responsible_leader"] = cast.user("county_poverty_office", "county").pk

    response = client.post(url(task, "execute"), data)

    assert response.status_code == 200
    assert "responsible_leader" in response.context["form"].errors
    assert Project.objects.get(pk=project.pk).responsible_leader is None


# --- 项目谋划: the operator -------------------------------------------------------------


def start_data(cast, operator):
    return {
        "name": "跨镇经营主体项目",
        "industry": "生猪养殖",
        "village": str(cast.regions["A1"].pk),
        "mode": ImplementationMode.EQUITY_DIVIDEND,
        "funds_amount": "100000.00",
        "operator": str(operator.pk),
        "scale": "100头",
        "term_years": "3",
        "meeting_date": "2026-10-01",
        "meeting_attendees": "40",
        "meeting_minutes": "村民大会一致同意。",
        "households_wishes": "发展生猪养殖。",
    }


def test_start_offers_only_the_villages_own_township_operators(cast):
    client = cast.client(cast.user("village_secretary", "A1"))
    from processes.flows import ProjectFlow

    form = client.get(ProjectFlow.start.reverse("execute")).context["form"]

    assert choice_users(form.fields["operator"]) == {cast.operators["A"].pk}


def test_a_start_naming_another_townships_operator_is_refused_and_that_operator_sees_nothing(
    cast,
):
    from processes.flows import ProjectFlow

    client = cast.client(cast.user("village_secretary", "A1"))
    response = client.post(
        ProjectFlow.start.reverse("execute"), start_data(cast, cast.operators["B"])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["operator"] == ["请选择本村所在乡镇的经营主体。"]
    assert "请选择本村所在乡镇的经营主体。" in response.content.decode()
    assert not Project.objects.filter(name="跨镇经营主体项目").exists()
    operator_b = cast.client(cast.user("operator", "B"))
    assert "跨镇经营主体项目" not in operator_b.get("/projects/").content.decode()

    response = client.post(
        ProjectFlow.start.reverse("execute"), start_data(cast, cast.operators["A"])
    )
    assert response.status_code == 302
    assert Project.objects.get(name="跨镇经营主体项目").operator == cast.operators["A"]


# --- 会签: the county acceptance panel ---------------------------------------------------


@pytest.fixture
def acceptance(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="200000.00")
    driver.run(project, until="county_acceptance")
    task, client = claimed(cast, driver, project, "county_poverty_office", "county")
    return project, task, client


def panel_url(task):
    return f"/approvals/tasks/{task.pk}/panel/"


def test_panel_seats_offer_their_bodies_never_the_operator_admin_or_the_office(
    cast, acceptance, admin, expert
):
    project, task, client = acceptance
    # A cooperative's staff member who also holds a county finance role: still never seated.
    coop_staff = cast.user("operator", "A")
    grant_role(None, coop_staff, COUNTY_FINANCE_BUREAU, cast.county)
    grant_role(None, admin, COUNTY_FINANCE_BUREAU, cast.county)

    page = client.get(panel_url(task))
    assert page.status_code == 200
    fields = page.context["form"].fields

    finance = cast.user("county_finance_bureau", "county")
    assert choice_users(fields["seat_finance"]) == {finance.pk}
    assert choice_labels(fields["seat_finance"]) == {f"{display_name(finance)}（县财政局·织金县）"}
    assert choice_users(fields["seat_discipline"]) == {cast.user("county_discipline", "county").pk}
    assert choice_users(fields["seat_bureau"]) == {cast.user("county_leading_group", "county").pk}
    assert choice_users(fields["seat_audit"]) == {expert.pk}
    assert choice_labels(fields["seat_expert"]) == {"外聘专家甲（外部成员）"}
    offered = set().union(*(choice_users(fields[name]) for name in fields if name != "reason"))
    office = cast.user("county_poverty_office", "county")
    assert not offered & {admin.pk, coop_staff.pk, office.pk, cast.user("township_lead", "A").pk}
    html = page.content.decode()
    assert 'class="vf-page__menu' in html  # inside the site's frame, with the menu
    assert "qiyue/qiyue.css" in html  # the site's red (qiyue.css), not viewflow's default purple


def test_several_members_are_seated_in_one_form_and_find_it_in_their_menu(cast, acceptance, expert):
    project, task, client = acceptance
    finance = cast.user("county_finance_bureau", "county")
    discipline = cast.user("county_discipline", "county")

    response = client.post(
        panel_url(task),
        {
            "seat_finance": finance.pk,
            "seat_discipline": discipline.pk,
            "seat_expert": expert.pk,
            "reason": "组成县级验收小组",
        },
    )

    assert response.status_code == 302
    seated = SignOff.objects.filter(task_id=task.pk, kind=SignOff.Kind.PANEL)
    assert {(s.seat, s.signer_id) for s in seated} == {
        ("finance", finance.pk),
        ("discipline", discipline.pk),
        ("expert", expert.pk),
    }
    entries = AuditEntry.objects.filter(act="task.panel_seat", object_id=str(task.pk))
    assert sorted(e.after["seat"] for e in entries) == ["discipline", "expert", "finance"]
    member = cast.client(finance)
    menu = member.get("/approvals/sign-offs/").content.decode()
    assert 'qy-sign-offs-count">1<' in menu and "县级验收" in menu
    # the seated seats are not offered again
    fields = client.get(panel_url(task)).context["form"].fields
    assert set(fields) == {"seat_bureau", "seat_audit", "reason"}


def test_a_refused_seat_seats_nobody(cast, acceptance, admin):
    project, task, client = acceptance
    finance = cast.user("county_finance_bureau", "county")

    response = client.post(
        panel_url(task),
        {"seat_finance": finance.pk, "seat_discipline": admin.pk, "reason": "组成县级验收小组"},
    )
    assert response.status_code == 200 and "seat_discipline" in response.context["form"].errors

    grant_role(None, finance, COUNTY_LEADING_GROUP, cast.county)  # sits on both bodies
    response = client.post(
        panel_url(task),
        {"seat_finance": finance.pk, "seat_bureau": finance.pk, "reason": "组成县级验收小组"},
    )
    assert response.status_code == 200
    assert "已担任其他席位" in response.content.decode()
    response = client.post(panel_url(task), {"reason": "组成县级验收小组"})
    assert "请至少为一个席位选择成员" in response.content.decode()
    assert not SignOff.objects.filter(task_id=task.pk).exists()


def test_the_act_refuses_the_operators_staff_and_admin_on_the_panel(cast, acceptance, admin):
    project, task, _client = acceptance
    office = cast.user("county_poverty_office", "county")
    coop_staff = cast.user("operator", "A")
    grant_role(None, coop_staff, COUNTY_FINANCE_BUREAU, cast.county)
    grant_role(None, admin, COUNTY_FINANCE_BUREAU, cast.county)
    finance = cast.user("county_finance_bureau", "county")

    for member in (coop_staff, admin):
        with pytest.raises(operations.OperationRefused):
            operations.seat_panel(office, task, {"finance": member}, "组成县级验收小组")
    with pytest.raises(operations.OperationRefused):  # all or none
        operations.seat_panel(
            office, task, {"finance": finance, "discipline": admin}, "组成县级验收小组"
        )
    assert not SignOff.objects.filter(task_id=task.pk).exists()


def test_another_townships_lead_cannot_open_the_panel_page(cast, acceptance):
    _project, task, _client = acceptance
    lead_b = cast.client(cast.user("township_lead", "B"))
    assert lead_b.get(panel_url(task)).status_code == 404


def test_pending_sign_offs_is_one_query_however_many(cast, acceptance):
    _project, task, client = acceptance
    finance = cast.user("county_finance_bureau", "county")
    client.post(panel_url(task), {"seat_finance": finance.pk, "reason": "组成县级验收小组"})
    with CaptureQueriesContext(connection) as ctx:
        rows = [
            (s.task.flow_task.name, s.requested_by.username)
            for s in operations.pending_sign_offs(finance)
        ]
    assert rows == [("county_acceptance", cast.user("county_poverty_office", "county").username)]
    assert len(ctx.captured_queries) == 1


# --- 转办 / 委派 / 加签 / 抄送 --------------------------------------------------------------


@pytest.fixture
def review(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    task, client = claimed(cast, driver, project, "township_work_station", "A")
    return project, task, client


def op(task, name):
    return f"/approvals/tasks/{task.pk}/{name}/"


def test_transfer_and_delegate_are_not_offered_with_nobody_to_hand_to(cast, review):
    _project, task, client = review
    page = client.get(url(task, "execute")).content.decode()
    assert op(task, "transfer") not in page and op(task, "delegate") not in page
    assert op(task, "add-signer") in page and op(task, "carbon-copy") in page
    assert "没有可以转交的人" in client.get(op(task, "transfer")).content.decode()

    colleague = f.official(TOWNSHIP_WORK_STATION, cast.regions["A"], username="station_A_2")
    page = client.get(url(task, "execute")).content.decode()
    assert op(task, "transfer") in page and op(task, "delegate") in page
    field = client.get(op(task, "transfer")).context["form"].fields["to_user"]
    assert choice_labels(field) == {f"{display_name(colleague)}（乡镇扶贫工作站·珠藏镇）"}


def test_signer_and_copy_pickers_show_role_and_region_and_leave_out_admin_and_strangers(
    cast, review, admin, expert
):
    _project, task, client = review
    field = client.get(op(task, "add-signer")).context["form"].fields["signer"]
    offered = choice_users(field)
    holder = cast.user("township_work_station", "A")
    assert cast.user("township_lead", "B").pk in offered  # another township may be asked
    assert not offered & {admin.pk, expert.pk, holder.pk, cast.user("operator", "A").pk}
    lead_a = cast.user("township_lead", "A")
    assert f"{display_name(lead_a)}（乡镇领导·珠藏镇）" in choice_labels(field)
    places = [label.split("·")[-1] for value, label in field.choices if value]
    assert places[0] == "织金县）" and places[-1] == "牛场村）"  # county first, by place
    copies = client.get(op(task, "carbon-copy")).context["form"].fields["recipients"]
    assert choice_users(copies) == offered

    response = client.post(op(task, "add-signer"), {"signer": admin.pk, "reason": "加签"})
    assert response.status_code == 200 and "signer" in response.context["form"].errors
    with pytest.raises(operations.OperationRefused):
        operations.carbon_copy(holder, task, [expert], "请知悉")


def test_an_operators_staff_label_names_the_operator(cast):
    from workflow.operation_forms import person_labels

    staff = cast.user("operator", "A")
    second = f.UserFactory(username="coop_A_2", full_name="陈二")
    grant_operator_access(None, second, cast.operators["A"])
    labels = person_labels([staff, second])
    assert labels[second.pk] == "陈二（经营主体·乐丰生猪养殖专业合作社）"


# --- 撤回 and the project's acts on a finished project ------------------------------------


def test_the_archive_offers_withdraw_only_on_steps_that_can_be_withdrawn(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    application = driver.step(project, "application")
    driver.run(project, until="funds_issue")  # the leading group signed the approval reply
    group = cast.user("county_leading_group", "county")
    signed = ScopedTask.objects.get(process=project.process, owner=group, status="DONE")

    archive = cast.client(cast.user("village_secretary", "A1")).get("/workflow/archive/")
    assert op(application, "withdraw") in archive.content.decode()
    archive = cast.client(group).get("/workflow/archive/").content.decode()
    assert project.name in archive and op(signed, "withdraw") not in archive


def finished_project(cast):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.DIRECT_SUBSIDY, funds="60000.00", meeting_date=years_back(4)
    )
    demo.advance_to(project, None)
    project.process.refresh_from_db()
    assert project.process.status == PROCESS.DONE
    return project


def test_reclaim_and_reassign_are_neither_offered_nor_done_on_a_finished_project(cast):
    project = finished_project(cast)
    lead = cast.client(cast.user("township_lead", "A"))

    page = lead.get(f"/projects/{project.pk}/").content.decode()
    assert "qy-reclaim" not in page and "qy-reassign" not in page
    assert "项目已办结，不能再收回资金或调整经营主体。" in page

    response = lead.post(
        f"/supervision/projects/{project.pk}/reclaim/", {"amount": "100.00", "reason": "违规"}
    )
    assert response.status_code == 200
    assert "项目已办结，不能再收回资金或调整经营主体。" in response.content.decode()
    assert not project.fund_movements.filter(kind="reclaimed").exists()
    response = lead.post(
        f"/supervision/projects/{project.pk}/reassign/",
        {"operator": cast.operators["A"].pk, "reason": "违规"},
    )
    assert "项目已办结" in response.content.decode()
    assert not AuditEntry.objects.filter(act__in=["project.reclaim_funds"]).exists()
