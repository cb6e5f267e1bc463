"""Reviewers see what they approve (issue 15 §2): every review, inspection, sign-off and
payment step shows, above its decision, what was submitted for it, read from the
database; the side panel of every task page shows the project."""

import html
import re

from django.template import Context, Template
from django.utils import timezone, translation
from viewflow.workflow.status import STATUS

from permissions.roles import TOWNSHIP_WORK_STATION
from processes import demo, summaries
from processes.models import Beneficiary, ImplementationMode
from processes.rules.id_numbers import mask_id_number
from processes.stages import STAGE_LABELS
from workflow import actions

from .. import factories as f
from ..flowdriver import years_back

D_SUBSIDY = ImplementationMode.DIRECT_SUBSIDY
GUARANTEED = ImplementationMode.GUARANTEED_DIVIDEND


def new_project(cast, mode=D_SUBSIDY, funds="45000.00", name="乐丰村刺梨种植项目", **extra):
    fields = {
        **extra,
        "name": name,
        "industry": "刺梨种植",
        "village": cast.regions["A1"],
        "mode": mode,
        "funds_amount": funds,
        "scale": "80亩",
    }
    if mode != D_SUBSIDY:
        fields["operator"] = cast.operators["A"]
    return demo.start_project(cast.user("village_secretary", "A1"), **fields)


def holder_and_url(project, node_name):
    """The open step ``node_name``, claimed by its holder: (holder, task page address)."""
    task = demo.open_task(project)
    assert task.flow_task.name == node_name
    user = demo.holder_for(task)
    if task.status == STATUS.NEW:
        with task.activation() as activation:
            actions.claim_task(user, activation)
    return user, task.flow_task.reverse("execute", args=[task.process_id, task.pk])


def page_at(cast, project, node_name):
    """The task page of ``node_name`` as its holder sees it, as text with the summary apart."""
    demo.advance_to(project, node_name)
    user, url = holder_and_url(project, node_name)
    response = cast.client(user).get(url)
    assert response.status_code == 200
    return Page(response.content.decode())


class Page:
    def __init__(self, text):
        self.text = html.unescape(text)

    def part(self, css_class):
        """The text of the first element with ``css_class`` up to its section's end."""
        start = self.text.index(css_class)
        return self.text[start:]

    @property
    def summary(self):
        """What was submitted: from the summary to the decision form below it."""
        start = self.text.index('class="qy-sum"')
        return self.text[start : self.text.index("<form", start)]

    @property
    def panel(self):
        return self.text[self.text.index('class="mdc-card vf-card qy-panel"') :]


# --- application, notice, approval, funds: the plan and the roster --------------------


def test_township_review_shows_the_plan_targets_roster_with_amounts_and_planning_meeting(cast):
    project = new_project(cast)
    page = page_at(cast, project, "township_review")
    summary = page.summary
    assert "实施方案：选址、建设内容、进度安排" in summary
    assert "带动脱贫户稳定增收。" in summary
    assert "召开项目谋划宣传会议，群众一致同意。" in summary
    assert "希望发展产业增收。" in summary
    assert "¥45,000.00" in summary
    for household in cast.households["A1"]:
        assert household.head_name in summary
        assert mask_id_number(household.id_number) in summary
        assert household.id_number not in page.text  # never the whole ID number
    assert summary.count("¥15,000.00") == 3  # each household's direct subsidy


def test_every_approval_step_until_funds_issue_shows_the_roster_and_what_came_before(cast):
    project = new_project(cast, mode=GUARANTEED, funds="300000.00", name="乐丰村生猪养殖项目")
    for node_name in ("public_notice", "county_review", "leading_group_approval", "funds_issue"):
        summary = page_at(cast, project, node_name).summary
        assert all(h.head_name in summary for h in cast.households["A1"]), node_name
        assert summary.count("¥100,000.00") == 3, node_name  # each household's share
        assert "¥300,000.00" in summary
    assert "织扶领〔2026〕" in summary  # funds issue sees the approval reply's number
    assert "乐丰生猪养殖专业合作社" in summary


def test_the_approval_reply_is_linked_from_funds_issue_and_downloads_for_its_holder(
    cast, django_capture_on_commit_callbacks
):
    project = new_project(cast)
    demo.advance_to(project, "leading_group_approval")
    with django_capture_on_commit_callbacks(execute=True):
        demo.do_step(project)  # the leading group signs the approval reply; its PDF is made
    user, url = holder_and_url(project, "funds_issue")
    page = Page(cast.client(user).get(url).content.decode())
    assert "关于乐丰村刺梨种植项目的批复" in page.summary
    link = re.search(r'href="(/documents/versions/\d+/)\?inline=1"', page.summary).group(1)
    assert cast.client(user).get(link).status_code == 200
    assert cast.client(cast.user("county_finance_bureau", "county")).get(link).status_code == 200
    assert cast.client(cast.user("township_lead", "B")).get(link).status_code == 404


def test_a_refused_submission_still_shows_what_is_stored_not_what_was_typed(cast):
    project = new_project(cast)
    demo.advance_to(project, "funds_issue")
    user, url = holder_and_url(project, "funds_issue")
    data = {**demo.step_data("funds_issue", project), "funds_doc_no": "织财农〔2026〕999号"}
    data["funds_issued_on"] = "not a date"
    response = cast.client(user).post(url, data)
    assert response.status_code == 200  # the form is shown again with its error
    summary = Page(response.content.decode()).summary
    assert "¥45,000.00" in summary and "999号" not in summary


# --- implementation: the report under inspection ----------------------------------


def report(project, percent, text):
    demo.advance_to(project, "progress_report")
    demo.do_step(project, data={"percent_complete": str(percent), "description": text})


def test_inspection_shows_the_report_being_inspected_with_its_percent_and_the_earlier_ones(
    cast,
):
    project = new_project(cast)
    report(project, 40, "地基平整完成。")
    demo.do_step(project)  # township supervision accepts; construction goes on
    report(project, 70, "苗木种植完成七成。")
    page = page_at(cast, project, "township_supervision")
    current = page.part("qy-sum-progress")
    assert current.index("70%") < current.index("苗木种植完成七成。") < current.index("40%")
    assert "地基平整完成。" in page.part("qy-earlier-reports")


# --- acceptance: the records so far and the last report ----------------------------


def test_county_acceptance_shows_the_village_and_township_conclusions_and_the_last_report(cast):
    project = new_project(cast)
    summary = page_at(cast, project, "county_acceptance").summary
    assert "村级自验合格。" in summary and "乡镇初验合格。" in summary
    assert "100%" in summary and "建设完成，设备已安装调试。" in summary


def test_a_panel_members_page_can_show_the_summary_of_the_step_they_sign_for(cast):
    project = new_project(cast)
    demo.advance_to(project, "county_acceptance")
    task = demo.open_task(project)
    rendered = Template("{% load review_summaries %}{% review_summary task %}").render(
        Context({"task": task})
    )
    assert "村级自验合格。" in rendered and "乡镇初验合格。" in rendered


def test_township_acceptance_shows_the_village_self_check(cast):
    project = new_project(cast)
    summary = page_at(cast, project, "township_acceptance").summary
    assert "村级自验合格。" in summary
    assert "乡镇初验合格。" not in summary


# --- reimbursement: amounts, items, funds allocated and paid ------------------------


def test_reimbursement_reviews_and_payment_show_the_claim_and_the_funds(cast):
    project = new_project(cast)
    demo.advance_to(project, "reimbursement")
    demo.do_step(
        project, data={"amount": "44500.00", "expense_details": "苗木采购、滴灌设备安装。"}
    )
    for node_name in ("reimbursement_poverty_review", "reimbursement_finance_review", "payment"):
        summary = page_at(cast, project, node_name).summary
        assert "¥44,500.00" in summary, node_name  # the amount claimed
        assert "苗木采购、滴灌设备安装。" in summary
        assert "¥45,000.00" in summary  # the funds issued and allocated
        assert all(h.head_name in summary for h in cast.households["A1"])  # the payees


# --- agreements: the terms the operator countersigns ---------------------------------


def test_the_operator_countersigning_sees_the_agreement_terms_and_parties(cast):
    project = new_project(cast, mode=GUARANTEED, funds="300000.00", name="乐丰村生猪养殖项目")
    page = page_at(cast, project, "benefit_linkage_agreements")
    terms = page.part("qy-sum-agreement")
    for text in ("6.00%", "0.50", "养殖场房屋及设备抵押", "¥310,000.00", "珠藏镇"):
        assert text in terms, text
    assert "乐丰生猪养殖专业合作社" in terms
    assert "¥18,000.00" in page.part("qy-schedule")  # year 1: 6 % of ¥300,000


# --- post-maintenance: the report and the dividend figures ----------------------------


def test_maintenance_review_shows_the_report_and_the_years_dividend(cast):
    project = new_project(
        cast,
        mode=GUARANTEED,
        funds="300000.00",
        name="乐丰村生猪养殖项目",
        meeting_date=years_back(4),
    )
    demo.advance_to(project, "maintenance_report")
    demo.do_step(project, data={"income": "150000.00", "condition": "猪舍运行正常，存栏480头。"})
    summary = page_at(cast, project, "maintenance_review").summary
    assert "¥150,000.00" in summary
    assert "猪舍运行正常，存栏480头。" in summary
    assert "¥18,000.00" in summary  # the guaranteed dividend to distribute in year 1
    for node_name in ("dividend_notice", "dividend_payout"):
        summary = page_at(cast, project, node_name).summary
        assert "¥150,000.00" in summary and "猪舍运行正常，存栏480头。" in summary, node_name


def test_the_operator_countersigning_a_renewal_sees_the_new_terms(cast):
    project = new_project(
        cast,
        mode=GUARANTEED,
        funds="300000.00",
        name="乐丰村生猪养殖项目",
        meeting_date=years_back(4),
    )
    demo.advance_to(project, "term_end")
    renew = {
        "outcome": "renew",
        "reason": "合作良好，续签三年。",
        "signed_on": timezone.localdate().isoformat(),
        "term_years": "3",
        "first_year_rate": "7.50",
        "yearly_increase": "0.50",
        "collateral_value": "320000.00",
        "collateral_description": "新建冷库抵押",
    }
    demo.do_step(project, data=renew)
    page = page_at(cast, project, "renewal_countersign")
    terms = page.part("qy-sum-agreement")
    assert "#2" in terms and "7.50%" in terms and "新建冷库抵押" in terms
    assert "¥320,000.00" in terms and "4–6" in terms
    assert "¥22,500.00" in page.part("qy-schedule")  # year 4: 7.5 % of ¥300,000


# --- the side panel -------------------------------------------------------------------


def test_the_side_panel_shows_the_project_not_the_process_fields(cast):
    project = new_project(cast)
    page = page_at(cast, project, "county_review")
    panel = page.panel
    for text in (
        "乐丰村刺梨种植项目",
        "乐丰村",
        "珠藏镇",
        "¥45,000.00",
        f"/projects/{project.pk}/",
    ):
        assert text in panel, text
    leader = project.responsible_leader.get_full_name()
    assert leader in panel and "乡扶贫工作站、农业服务中心、包村干部" in panel
    assert "Last decision" not in page.text and "最近决定" not in page.text
    assert "Parent Task" not in page.text


def test_the_side_panel_names_the_stage_and_who_holds_the_step(cast):
    project = new_project(cast)
    demo.advance_to(project, "county_review")
    user, url = holder_and_url(project, "county_review")
    panel = Page(cast.client(user).get(url).content.decode()).panel
    with translation.override("zh-hans"):
        stage = str(STAGE_LABELS["approval"])  # county review belongs to the approval stage
    assert f'qy-panel__stage">{stage}<' in panel
    assert user.get_full_name() in panel


def test_the_claim_page_of_a_queued_step_shows_the_submission_the_project_and_its_queue(cast):
    project = new_project(cast)
    demo.advance_to(project, "township_review")
    task = demo.open_task(project)
    url = task.flow_task.reverse("assign", args=[task.process_id, task.pk])
    response = cast.client(cast.user("township_work_station", "A")).get(url)
    panel = Page(response.content.decode()).panel
    assert "乐丰村刺梨种植项目" in panel and "¥45,000.00" in panel
    with translation.override("zh-hans"):
        queue = f"{TOWNSHIP_WORK_STATION.label} · 织金县/珠藏镇"  # not yet held by a person
    assert queue in panel
    summary = Page(response.content.decode()).summary  # what the step is about, before claiming
    assert all(h.head_name in summary for h in cast.households["A1"])


def test_another_townships_station_cannot_open_the_review(cast):
    project = new_project(cast)
    demo.advance_to(project, "township_review")
    _user, url = holder_and_url(project, "township_review")
    response = cast.client(cast.user("township_work_station", "B")).get(url)
    assert response.status_code == 404  # out of jurisdiction: not even confirmed to exist
    assert cast.households["A1"][0].head_name not in response.content.decode()


def test_a_review_page_runs_in_a_fixed_number_of_queries(cast, django_assert_num_queries):
    project = new_project(cast)
    demo.advance_to(project, "township_review")
    user, url = holder_and_url(project, "township_review")
    client = cast.client(user)
    client.get(url)
    # 35 after the merge: the leader picker labels its choices (3), the menu badges (2);
    # 38 since another jurisdiction's task is a 404 (workflow/middleware.py: the process,
    # its region, whether the user may see it); 37 since the view does not ask that again.
    with django_assert_num_queries(37):
        assert client.get(url).status_code == 200


def test_the_summary_and_panel_cost_the_same_queries_however_long_the_roster(
    cast, django_assert_num_queries
):
    project = new_project(cast)
    demo.advance_to(project, "township_review")
    process = project.process
    for _ in range(2):
        with django_assert_num_queries(2):  # the project, the roster with its households
            summary = summaries.summary_for(process, "township_review")
        with django_assert_num_queries(4):  # the project, the open task, its queue's region (2)
            summaries.panel_for(process)
        for household in f.HouseholdFactory.create_batch(5, village=cast.regions["A1"]):
            Beneficiary.objects.create(project=project, household=household)
    assert len(summary.roster) == 8


def test_every_step_after_the_application_says_what_it_shows():
    from viewflow.workflow.flow.nodes import View as ViewNode

    from processes.flows import ProjectFlow

    steps = {n.name for n in ProjectFlow.instance.nodes() if isinstance(n, ViewNode)}
    assert steps - {"application"} == set(summaries.SECTIONS)
    assert set(summaries.DOCUMENTS) <= set(summaries.SECTIONS)


def test_a_sent_back_steps_claim_page_shows_the_reason_in_words_not_raw_task_data(cast):
    project = new_project(cast)
    demo.advance_to(project, "township_review")
    demo.do_step(project, decision="back", reason="受益户名单需复核。")
    task = demo.open_task(project)
    assert task.flow_task.name == "application"
    url = task.flow_task.reverse("detail", args=[task.process_id, task.pk])
    text = Page(cast.client(cast.user("village_secretary", "A1")).get(url).content.decode()).text
    assert "受益户名单需复核。" in text
    assert "{'returned'" not in text and "'reason':" not in text
