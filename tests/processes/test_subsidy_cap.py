"""The per-household cap (≤ ¥20,000 of direct subsidies across all projects) holds when two
projects for the same households are approved one after the other, and at the same moment."""

import threading

import pytest
from django.db import connection
from django.test import Client
from viewflow.workflow.status import STATUS

from permissions.roles import COUNTY_LEADING_GROUP
from processes.models import ImplementationMode, Project

from .. import factories as f
from ..flowdriver import Driver


def two_projects_waiting_for_approval(cast):
    """Two direct-subsidy projects of village A1, each giving its 3 households ¥12,000."""
    driver = Driver(cast, "A1")
    projects = []
    for name in ("竹荪种植补助项目", "茶叶种植补助项目"):
        project = driver.start(mode=ImplementationMode.DIRECT_SUBSIDY, funds="36000.00", name=name)
        driver.run(project, until="leading_group_approval")
        projects.append(project)
    return driver, projects


def approval_form(project):
    return {
        "decision": "approve",
        "reason": "同意",
        "approval_doc_no": f"织扶领〔2026〕{project.pk}号",
        "approved_on": "2026-11-20",
    }


def test_a_second_approval_that_breaks_the_cap_is_refused_with_the_rule(cast):
    driver, (first, second) = two_projects_waiting_for_approval(cast)
    driver.step(first, "leading_group_approval", data=approval_form(first))

    task = driver.open_task(second)
    client = cast.client(cast.user("county_leading_group"))
    client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    response = client.post(
        task.flow_task.reverse("execute", args=[task.process_id, task.pk]), approval_form(second)
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].non_field_errors())
    assert "24,000.00" in errors and "20,000.00" in errors and "12,000.00" in errors
    assert (
        cast.households["A1"][0].head_name in errors or cast.households["A1"][1].head_name in errors
    )
    task.refresh_from_db()
    second.refresh_from_db()
    assert task.status == STATUS.ASSIGNED and second.approved_on is None  # nothing saved half-way
    # Sending it back (to fix the amounts) is still possible.
    response = client.post(
        task.flow_task.reverse("execute", args=[task.process_id, task.pk]),
        {"decision": "back", "reason": "超限"},
    )
    assert response.status_code == 302


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL row locks (SQLite ignores FOR UPDATE)",
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_approvals_at_the_same_moment_never_both_pass_the_cap(cast):
    tallies = []
    for _trial in range(5):
        Project.objects.all().update(approved_on=None)
        driver, (first, second) = two_projects_waiting_for_approval(cast)
        second_approver = f.official(COUNTY_LEADING_GROUP, cast.county, username=f"lg2_{first.pk}")
        approvers = [cast.user("county_leading_group"), second_approver]
        urls = []
        for project, user in zip((first, second), approvers, strict=True):
            task = driver.open_task(project)
            client = Client()
            client.force_login(user)
            client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
            urls.append(
                (
                    client,
                    task.flow_task.reverse("execute", args=[task.process_id, task.pk]),
                    project,
                )
            )

        barrier, codes = threading.Barrier(2), {}

        def approve(client, url, project, barrier=barrier, codes=codes):
            try:
                barrier.wait(timeout=30)
                codes[project.pk] = client.post(url, approval_form(project)).status_code
            finally:
                connection.close()

        threads = [threading.Thread(target=approve, args=item) for item in urls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        approved = Project.objects.filter(
            pk__in=[first.pk, second.pk], approved_on__isnull=False
        ).count()
        tallies.append((sorted(codes.values()), approved))
        assert sorted(codes.values()) == [200, 302], (
            codes
        )  # one approved, one refused with the rule
        assert approved == 1
        for project in (first, second):  # clear the way for the next trial
            Project.objects.filter(pk=project.pk).update(name=f"{project.name}-{project.pk}")
    print(f"cap race: {len(tallies)} trials, each one 302 + one 200 (refused): {tallies}")
