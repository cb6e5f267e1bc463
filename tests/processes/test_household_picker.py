"""The application's household picker (项目申报 · 受益农户): what it shows of each household,
that it offers only the project's village, and that it costs the same queries for any roster."""

from decimal import Decimal
from xml.etree import ElementTree

from django.db import connection
from django.test.utils import CaptureQueriesContext
from viewflow.forms.renderers import FormLayout
from viewflow.workflow.status import STATUS

from processes import demo
from processes.forms import ApplicationForm
from processes.models import Beneficiary, ImplementationMode, Project
from processes.rules.id_numbers import mask_id_number

from .. import factories as f
from ..flowdriver import Driver


def granted_elsewhere(cast, household, amount):
    """``amount`` yuan already granted to ``household`` by another approved project."""
    earlier = demo.start_project(
        cast.user("village_secretary", "A1"),
        name="往年产业补助项目",
        industry="种植",
        village=cast.regions["A1"],
        mode=ImplementationMode.DIRECT_SUBSIDY,
        funds_amount=str(amount),
    )
    Project.objects.filter(pk=earlier.pk).update(approved_on="2026-03-01")
    Beneficiary.objects.create(project=earlier, household=household, subsidy=Decimal(amount))


def application_page(cast, project):
    task = Driver(cast, "A1").open_task(project)
    client = cast.client(cast.user("village_secretary", "A1"))
    if task.status == STATUS.NEW:
        client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    url = task.flow_task.reverse("execute", args=[task.process_id, task.pk])
    return client, url


def test_an_id_number_shows_its_region_prefix_and_last_four_digits_only():
    assert mask_id_number("520524198801010031") == "520524********0031"
    assert mask_id_number("52052419880101003X") == "520524********003X"


def test_the_picker_shows_each_households_head_masked_id_size_and_subsidy_against_the_cap(cast):
    near, other, _third = cast.households["A1"]
    granted_elsewhere(cast, near, "18000.00")
    project = Driver(cast, "A1").start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="30000.00")
    client, url = application_page(cast, project)

    html = client.get(url).content.decode()

    assert "vf-field-checkbox-select" not in html  # the element nothing draws
    for household in cast.households["A1"]:
        assert f'type="checkbox" name="households" value="{household.pk}"' in html
        assert mask_id_number(household.id_number) in html
        assert household.id_number not in html
        assert f">{household.head_name}</label>" in html
    row = html[html.index(f'value="{near.pk}"') :].split("</tr>")[0]
    assert f">{near.members}<" in row
    assert "¥18,000.00 / ¥20,000.00" in row
    row = html[html.index(f'value="{other.pk}"') :].split("</tr>")[0]
    assert "¥0.00 / ¥20,000.00" in row


def test_households_of_another_village_are_neither_offered_nor_accepted(cast):
    project = Driver(cast, "A1").start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="30000.00")
    stranger = cast.households["A2"][0]
    client, url = application_page(cast, project)

    assert f'value="{stranger.pk}"' not in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "implementation_plan": "方案",
            "commitment_signed": "on",
            "households": [str(stranger.pk)],
        },
    )

    assert response.status_code == 200  # the form again, with the error
    assert "households" in response.context["form"].errors
    assert not project.beneficiaries.exists()


def test_the_cap_error_is_shown_beside_the_picker(cast):
    near, other, _third = cast.households["A1"]
    granted_elsewhere(cast, near, "18000.00")
    project = Driver(cast, "A1").start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="30000.00")
    client, url = application_page(cast, project)

    response = client.post(
        url,
        {
            "implementation_plan": "方案",
            "commitment_signed": "on",
            "households": [str(near.pk), str(other.pk)],
        },
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    html = response.content.decode()
    picker = html[html.index("<fieldset") : html.index("</fieldset>")]
    assert f"{near.head_name}累计直补金额将达¥33,000.00" in picker
    assert 'role="alert"' in picker
    assert not project.beneficiaries.exists()


def render_picker(project, user):
    task = Driver.__new__(Driver).open_task(project)
    form = ApplicationForm(process=project.process, task=task, user=user)
    root = ElementTree.Element("div")
    FormLayout().append_field(root, form["households"])
    return ElementTree.tostring(root, encoding="unicode", method="html")


def test_the_picker_takes_the_same_queries_for_three_households_or_thirty(cast):
    user = cast.user("village_secretary", "A1")
    project = Driver(cast, "A1").start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="30000.00")
    for household in cast.households["A1"]:
        granted_elsewhere(cast, household, "1000.00")

    render_picker(project, user)  # warm the caches (content types, the flow's lookups)
    with CaptureQueriesContext(connection) as three:
        assert render_picker(project, user).count('type="checkbox"') == 3
    for _ in range(27):
        household = f.HouseholdFactory(village=cast.regions["A1"])
        granted_elsewhere(cast, household, "1000.00")
    with CaptureQueriesContext(connection) as thirty:
        assert render_picker(project, user).count('type="checkbox"') == 30

    assert len(thirty) == len(three)
