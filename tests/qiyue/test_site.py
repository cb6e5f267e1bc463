"""The site's applications as an official enters them."""

from django.contrib.messages import get_messages

from processes.flows import ProjectFlow

from ..flowdriver import Driver


def test_the_tasks_app_opens_on_the_inbox_without_a_stray_message(cast):
    client = cast.client(cast.user("township_work_station", "A"))
    response = client.get("/workflow/")
    assert response.status_code == 302
    assert response.url == "./inbox/"
    page = client.get("/workflow/", follow=True)
    assert page.redirect_chain == [("./inbox/", 302)]
    assert page.request["PATH_INFO"] == "/workflow/inbox/"
    assert [str(m) for m in get_messages(page.wsgi_request)] == []
    assert "未选择任何任务" not in page.content.decode()


def test_after_starting_a_project_the_official_lands_on_the_queue_where_its_first_step_waits(
    cast,
):
    client = cast.client(cast.user("village_secretary", "A1"))
    client.get("/workflow/inbox/")  # the last list opened, which viewflow would return to
    data = Driver(cast, "A1").meeting_data("direct_subsidy", "30000.00", "乐丰村竹荪种植项目")
    response = client.post(ProjectFlow.start.reverse("execute"), data)
    assert response.status_code == 302
    assert response.url == "/workflow/queue/"
    queue = client.get(response.url).content.decode()
    assert "乐丰村竹荪种植项目" in queue and "项目申报" in queue
