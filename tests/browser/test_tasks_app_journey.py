"""The tasks app (任务) as an official enters it from the desk: it opens on the inbox (待办),
with no message about a selection nobody made."""

from playwright.sync_api import expect


def test_the_tasks_app_opens_on_the_inbox_without_a_stray_message(cast, people):
    station = people(cast.user("township_work_station", "A"))
    station.menu("任务")
    station.back_at_list("待办")
    assert station.page.url.endswith("/workflow/inbox/")
    # viewflow's own index opened the bulk claim without a selection: "未选择任何任务".
    expect(station.page.get_by_text("未选择任何任务")).to_have_count(0)
    expect(station.page.get_by_text("No objects selected")).to_have_count(0)
    station.menu("待签收")
    station.back_at_list("待签收")
