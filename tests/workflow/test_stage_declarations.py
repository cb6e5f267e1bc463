"""A step is declared once, on its node: stage, time limit and holder are read from the flow."""

from types import SimpleNamespace

from permissions.roles import COUNTY_POVERTY_OFFICE, TOWNSHIP_LEAD, VILLAGE_SECRETARY
from processes.flows import ProjectFlow
from processes.stages import STAGES, stage_of
from workflow.deadlines import Limit, default_limits, step_choices


def process_in(village, *, direct_subsidy=False, operator="operator"):
    """A stand-in process: the flow's holders read only the project's place and mode."""
    project = SimpleNamespace(village=village, operator=operator)
    process = SimpleNamespace(project=project, is_direct_subsidy=lambda: direct_subsidy)
    process.coerced = process
    return process


COUNTY = SimpleNamespace(name="county")
TOWNSHIP = SimpleNamespace(name="township", parent=COUNTY)
VILLAGE = SimpleNamespace(name="village", parent=TOWNSHIP)


def test_every_step_with_a_holder_declares_its_stage_and_every_stage_has_steps():
    human = [n for n in ProjectFlow.instance.nodes() if n.task_type == "HUMAN"]
    assert [n.name for n in human if n.stage is None] == []
    assert [code for code, _label, steps in STAGES if not steps] == []
    assert stage_of("county_review") == "approval" and stage_of("county_review_passed") is None


def test_default_limits_are_the_nodes_own_declarations():
    limits = default_limits()
    assert limits["application"] == Limit(14, 3)
    assert limits["payment"] == Limit(5, 1, 5)
    assert limits["maintenance_report"] == Limit(250, 20, 20)
    assert "start" not in limits  # the planning meeting runs on no clock
    assert [node for node, _title in step_choices()] == list(limits)


def test_holder_of_names_the_role_and_the_region_of_the_process():
    process = process_in(VILLAGE)
    assert ProjectFlow.holder_of("start", process) == (VILLAGE_SECRETARY, VILLAGE)
    assert ProjectFlow.holder_of("county_review", process) == (COUNTY_POVERTY_OFFICE, COUNTY)
    assert ProjectFlow.holder_of("term_end", process) == (TOWNSHIP_LEAD, TOWNSHIP)
    assert ProjectFlow.holder_of("benefit_linkage_agreements", process) == (None, "operator")


def test_the_reporter_is_the_operator_or_for_direct_subsidies_the_village():
    assert ProjectFlow.holder_of("progress_report", process_in(VILLAGE)) == (None, "operator")
    direct = process_in(VILLAGE, direct_subsidy=True)
    assert ProjectFlow.holder_of("maintenance_report", direct) == (VILLAGE_SECRETARY, VILLAGE)
