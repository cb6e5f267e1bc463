"""Lists officials open all day stay a fixed number of queries, however many rows they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from workflow.tasks import ScopedTask

from ..flowdriver import Driver


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def add_projects(cast, count, until):
    driver = Driver(cast, "A1")
    for _ in range(count):
        project = driver.start(
            name=f"项目{add_projects.n}", mode="equity_dividend", funds="100000.00"
        )
        add_projects.n += 1
        driver.run(project, until=until)


add_projects.n = 0


def test_queue_inbox_and_project_list_do_not_grow_with_rows(cast):
    station = cast.client(cast.user("township_work_station", "A"))
    secretary = cast.client(cast.user("village_secretary", "A1"))
    pages = [
        (station, "/workflow/queue/"),
        (station, "/projects/"),
        (secretary, "/workflow/archive/"),
    ]
    add_projects(cast, 2, "township_review")
    few = [queries_for(client, url) for client, url in pages]
    add_projects(cast, 5, "township_review")
    many = [queries_for(client, url) for client, url in pages]
    assert many == few, (few, many)
    # and an inbox full of claimed tasks
    for task in ScopedTask.objects.filter(flow_task_type="HUMAN", status="NEW")[:3]:
        station.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    inbox_few = queries_for(station, "/workflow/inbox/")
    for task in ScopedTask.objects.filter(flow_task_type="HUMAN", status="NEW"):
        station.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
    assert queries_for(station, "/workflow/inbox/") == inbox_few
