"""Every form of the lifecycle draws only elements the Material frontend defines: an element
its JavaScript does not define (as viewflow's ``<vf-field-checkbox-select>`` was) renders
nothing, so its field can be neither filled in nor seen with its error."""

import re
from pathlib import Path

import pytest
import viewflow
from viewflow.workflow.status import STATUS

from processes.flows import ProjectFlow
from processes.models import ImplementationMode

from ..flowdriver import Driver, years_back

# The field elements viewflow 2.4's frontend (static/viewflow/js/viewflow.min.js) defines.
DEFINED = {
    "vf-field-checkbox",
    "vf-field-date",
    "vf-field-file",
    "vf-field-inline-calendar",
    "vf-field-input",
    "vf-field-password",
    "vf-field-radio-select",
    "vf-field-select",
    "vf-field-select-multiple",
    "vf-field-textarea",
    "vf-field-time",
}
FIELD_ELEMENT = re.compile(r"<(vf-field-[a-z-]+)")


def test_the_frontend_defines_the_elements_we_count_on():
    script = Path(viewflow.__file__).parent / "static/viewflow/js/viewflow.min.js"
    source = script.read_text(encoding="utf-8")
    for name in DEFINED:
        assert f'"{name}"' in source or f"'{name}'" in source, name


def pages_of_every_step(cast, mode):
    """GET each step's form as its holder, walking the project to its end."""
    driver = Driver(cast, "A1")
    secretary = cast.client(cast.user("village_secretary", "A1"))
    pages = {"start": secretary.get(ProjectFlow.start.reverse("execute")).content.decode()}
    funds = "200000.00" if mode != "direct_subsidy" else "30000.00"
    project = driver.start(mode=mode, funds=funds, meeting_date=years_back(4))  # to the end
    for _ in range(80):
        task = driver.open_task(project)
        if task is None:
            return pages
        name = task.flow_task.name
        client = cast.client(driver.holder(name, project))
        if task.status == STATUS.NEW:
            client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
        execute = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
        pages.setdefault(name, client.get(execute).content.decode())
        driver.step(project, name)
    raise AssertionError("the flow did not end")


@pytest.mark.parametrize(
    "mode", [ImplementationMode.DIRECT_SUBSIDY, ImplementationMode.GUARANTEED_DIVIDEND]
)
def test_every_step_form_draws_only_elements_the_frontend_defines(cast, mode):
    pages = pages_of_every_step(cast, mode)

    undefined = {
        step: sorted(set(FIELD_ELEMENT.findall(html)) - DEFINED) for step, html in pages.items()
    }
    assert {step: names for step, names in undefined.items() if names} == {}
    assert "application" in pages and "payment" in pages
    assert 'type="checkbox" name="households"' in pages["application"]
