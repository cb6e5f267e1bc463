"""The contract-model rules where officials meet them (DOMAIN.md §4, seeds 1–2): the step whose
form enters the value, over HTTP, refuses the post and saves nothing. The rules' own boundaries
are in test_rules.py.
"""

from decimal import Decimal

from viewflow.workflow.status import STATUS

from processes import demo
from processes.flows import ProjectFlow
from processes.models import Agreement, Beneficiary, ImplementationMode, Project

from ..flowdriver import Driver

D = Decimal
FEN = D("0.01")


# --- over HTTP: the step that enters the value refuses it ------------------------------


def claimed(cast, driver, project, step):
    """Run the project to ``step``, claim it as its holder; the task and their client."""
    driver.run(project, until=step)
    task = driver.open_task(project)
    assert task.flow_task.name == step
    client = cast.client(driver.holder(step, project))
    assert (
        client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk])).status_code
        == 302
    )
    return task, client


def post(client, task, data):
    return client.post(task.flow_task.reverse("execute", args=[task.process_id, task.pk]), data)


def field_errors(response, field):
    assert response.status_code == 200, response.status_code
    return response.context["form"].errors.get(field, [])


def assert_still_open(task):
    task.refresh_from_db()
    assert task.status == STATUS.ASSIGNED


def entrustment(project, **changes):
    return {**demo.step_data("entrustment_agreement", project), **changes}


def test_the_entrustment_agreement_refuses_a_households_share_under_seventy_percent(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, household_share="69.99"))

    assert field_errors(response, "household_share") == [
        "农户享受分红的比例不得低于量化入股扶贫资金收益的70.00%。"
    ]
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)

    response = post(client, task, entrustment(project, household_share="70.00"))

    assert response.status_code == 302
    assert project.agreement.household_share == D("70.00")
    task.refresh_from_db()
    assert task.status == STATUS.DONE


def test_the_entrustment_agreement_refuses_a_blank_manager(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, manager_name="   "))

    # The field strips the spaces, so its own "required" error speaks before the rule does.
    assert field_errors(response, "manager_name")
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)

    response = post(client, task, entrustment(project, manager_name=" 王建国 "))

    assert response.status_code == 302
    assert project.agreement.manager_name == "王建国"


def test_the_entrustment_agreement_refuses_a_first_year_dividend_under_five_percent(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, first_year_rate="4.99"))

    assert field_errors(response, "first_year_rate") == [
        "首年保底分红不得低于入股扶贫资金的5.00%。"
    ]
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)

    response = post(client, task, entrustment(project, first_year_rate="5.00"))

    assert response.status_code == 302
    assert project.agreement.first_year_rate == D("5.00")


def test_the_entrustment_agreement_refuses_a_dividend_that_does_not_rise(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, yearly_increase="0.00"))

    assert response.status_code == 200
    errors = [e for field in response.context["form"].errors.values() for e in field]
    assert "保底分红须逐年递增：每年递增幅度须大于零。" in errors
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)

    response = post(client, task, entrustment(project, yearly_increase="0.01"))

    assert response.status_code == 302
    assert project.agreement.yearly_increase == D("0.01")


def test_the_entrustment_agreement_refuses_collateral_one_fen_below_the_funds(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, collateral_value="499999.99"))

    assert field_errors(response, "collateral_value") == [
        "经营主体的抵押担保（¥499,999.99）不得低于投入的扶贫资金（¥500,000.00）。"
    ]
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)

    response = post(client, task, entrustment(project, collateral_value="500000.00"))

    assert response.status_code == 302
    assert project.agreement.collateral_value == D("500000.00")


def test_the_entrustment_agreement_refuses_a_term_under_three_years(cast):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="500000.00")
    task, client = claimed(cast, driver, project, "entrustment_agreement")

    response = post(client, task, entrustment(project, term_years="2"))

    assert field_errors(response, "term_years") == [
        "协议期限不得少于3年（契约化管理要求），当前填写为2。"
    ]
    assert not Agreement.objects.filter(project=project).exists()
    assert_still_open(task)


def test_the_planning_meeting_refuses_a_term_under_three_years(cast):
    secretary = cast.user("village_secretary", "A1")
    client = cast.client(secretary)
    data = {
        "name": "短期项目",
        "industry": "竹荪种植",
        "village": str(cast.regions["A1"].pk),
        "mode": ImplementationMode.DIRECT_SUBSIDY,
        "funds_amount": "60000.00",
        "scale": "50亩",
        "term_years": "2",
        "meeting_date": "2026-10-01",
        "meeting_attendees": "40",
        "meeting_minutes": "村民大会一致同意。",
        "households_wishes": "发展竹荪种植。",
    }

    response = client.post(ProjectFlow.start.reverse("execute"), data)

    assert field_errors(response, "term_years") == [
        "协议期限不得少于3年（契约化管理要求），当前填写为2。"
    ]
    assert not Project.objects.exists()

    project = Driver(cast, "A1").start(name="三年项目", term_years="3")
    assert project.term_years == 3


def test_the_subsidy_agreements_refuse_a_term_under_three_years(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    task, client = claimed(cast, driver, project, "subsidy_agreements")
    data = demo.step_data("subsidy_agreements", project)

    response = post(client, task, {**data, "term_years": "2"})

    assert field_errors(response, "term_years") == [
        "协议期限不得少于3年（契约化管理要求），当前填写为2。"
    ]
    assert not project.beneficiaries.filter(agreement_signed_on__isnull=False).exists()
    assert_still_open(task)

    response = post(client, task, {**data, "term_years": "3"})

    assert response.status_code == 302


def approved_direct_subsidy(driver, name, funds):
    """A direct-subsidy project approved by the leading group: its roster now counts towards
    every household's cap (DOMAIN.md §4; ``processes.subsidies``)."""
    project = driver.start(name=name, funds=funds)
    driver.run(project, until="funds_issue")
    assert project.approved_on is not None
    return project


def test_the_application_refuses_households_already_at_the_cap(cast):
    """Each household of A1 got ¥20,000.00 from an approved project; a second one may give
    them nothing more, while households of A2 are still free to receive."""
    driver = Driver(cast, "A1")
    earlier = approved_direct_subsidy(driver, "第一个直补项目", "60000.00")
    assert sorted(b.subsidy for b in earlier.beneficiaries.all()) == [D("20000.00")] * 3

    second = driver.start(name="第二个直补项目", funds="3.00")
    task, client = claimed(cast, driver, second, "application")
    response = post(client, task, demo.step_data("application", second))

    assert field_errors(response, "households") == [
        f"{household.head_name}累计直补金额将达¥20,001.00，超过每户¥20,000.00的上限"
        "（其他项目已补助¥20,000.00）。"
        for household in sorted(cast.households["A1"], key=lambda h: h.pk)
    ]
    assert not Beneficiary.objects.filter(project=second).exists()
    assert_still_open(task)

    elsewhere = Driver(cast, "A2")
    other = elsewhere.start(name="大寨村直补项目", funds="3.00")
    elsewhere.act(other, "application")
    assert sorted(b.subsidy for b in other.beneficiaries.all()) == [D("1.00")] * 3


def test_the_application_accepts_a_household_up_to_exactly_the_cap(cast):
    """¥59,999.99 among three: ¥20,000.00, ¥20,000.00, ¥19,999.99 (the spare fen go to the
    first on the roster). The third may get one more fen, exactly to the cap, but not two."""
    driver = Driver(cast, "A1")
    earlier = approved_direct_subsidy(driver, "第一个直补项目", "59999.99")
    short = earlier.beneficiaries.get(subsidy=D("19999.99")).household

    outside = driver.start(name="超出一分", funds="0.02")
    task, client = claimed(cast, driver, outside, "application")
    response = post(
        client, task, {**demo.step_data("application", outside), "households": [str(short.pk)]}
    )
    assert field_errors(response, "households") == [
        f"{short.head_name}累计直补金额将达¥20,000.01，超过每户¥20,000.00的上限"
        "（其他项目已补助¥19,999.99）。"
    ]
    assert not Beneficiary.objects.filter(project=outside).exists()
    assert_still_open(task)

    inside = driver.start(name="恰好到顶", funds="0.01")
    driver.act(
        inside,
        "application",
        data={**demo.step_data("application", inside), "households": [str(short.pk)]},
    )
    assert inside.beneficiaries.get().subsidy == FEN
