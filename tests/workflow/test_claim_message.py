"""After claiming (签收), the message fits the page one lands on."""

import pytest

from ..flowdriver import Driver


@pytest.fixture
def review_task(cast):
    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    return driver.open_task(project)


def url(task, action):
    return task.flow_task.reverse(action, args=[task.process_id, task.pk])


def test_claim_and_continue_lands_on_the_task_form_saying_to_handle_it_there(cast, review_task):
    client = cast.client(cast.user("township_work_station", "A"))
    response = client.post(url(review_task, "assign"), {"_continue": "1"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == url(review_task, "execute")
    assert "已签收，请在本页办理。" in html
    assert "请在待办中办理" not in html


def test_claiming_from_the_queue_says_the_task_is_now_in_the_inbox(cast, review_task):
    client = cast.client(cast.user("township_work_station", "A"))
    client.get("/workflow/queue/")
    response = client.post(url(review_task, "assign"), follow=True)
    assert "请在待办中办理" in response.content.decode()
