"""Chinese by default whatever the browser says; English when the official picks it."""


def test_pages_are_chinese_by_default_even_for_an_english_browser(cast):
    client = cast.client(cast.user("township_lead", "A"))
    response = client.get("/projects/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"


def test_an_official_can_switch_to_english_and_back(cast):
    client = cast.client(cast.user("township_lead", "A"))
    response = client.get("/i18n/switch/en/?next=/projects/")
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert client.get("/projects/")["Content-Language"] == "en"
    client.get("/i18n/switch/zh-hans/")
    assert client.get("/projects/")["Content-Language"] == "zh-hans"


def test_an_english_page_leaves_the_thread_in_its_own_language(cast):
    """The language is the request's alone: a date the thread formats after an English
    page (a live server's next job, a test's own check) is still written in Chinese."""
    import datetime

    from django.utils import formats, translation

    client = cast.client(cast.user("township_lead", "A"))
    client.get("/i18n/switch/en/")
    assert client.get("/projects/")["Content-Language"] == "en"
    assert translation.get_language() == "zh-hans"
    assert formats.date_format(datetime.date(2026, 12, 10), "SHORT_DATE_FORMAT") == "2026年12月10日"


def test_language_switch_never_redirects_off_site(cast):
    client = cast.client(cast.user("township_lead", "A"))
    response = client.get("/i18n/switch/en/?next=https://example.com/")
    assert response["Location"] == "/"


def test_the_queue_bulk_actions_are_translated(cast):
    from .flowdriver import Driver

    driver = Driver(cast, "A1")
    project = driver.start()
    driver.step(project, "application")
    page = cast.client(cast.user("township_work_station", "A")).get("/workflow/queue/")
    html = page.content.decode()
    assert project.name in html
    assert "全选" in html and "Select all" not in html


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in_and_back(client):
    for path in ("/", "/workflow/inbox/", "/projects/", "/oversight/dashboard/"):
        response = client.get(path, follow=True)
        assert response.redirect_chain, path
        assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=/"), path
        assert response.status_code == 200
