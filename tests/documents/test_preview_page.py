"""Every registered paper variable has a human label, shown with its sample on the preview
page (/documents/preview/), which only administrators open."""

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from django.utils.html import escape

from documents.models import DocumentKind
from documents.preview import VARIABLES
from documents.preview_words import LABELS, label, variable_rows

REGISTERED = sorted(
    {path for branches in VARIABLES.values() for paths in branches.values() for path in paths}
)


@pytest.mark.parametrize("path", REGISTERED)
def test_every_variable_of_every_kind_has_a_label_in_both_languages(path):
    with translation.override("zh-hans"):
        chinese = label(path)
    with translation.override("en"):
        english = label(path)
    assert chinese and english and chinese != english, path


def test_no_label_is_left_over_for_a_variable_no_kind_prints():
    named = {path.rpartition(".")[0] if path not in LABELS else path for path in REGISTERED}
    assert set(LABELS) <= named | set(REGISTERED)


def test_an_amounts_two_forms_are_named_from_the_amount():
    with translation.override("zh-hans"):
        assert label("project.funds.capitals") == f"{label('project.funds')}（大写金额）"
        assert label("project.funds.figures") == f"{label('project.funds')}（小写金额，¥）"


def test_an_unregistered_variable_has_no_label():
    with pytest.raises(KeyError):
        label("project.nickname")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("admin", password="x", full_name="系统管理员")


def test_the_preview_page_lists_each_variable_with_its_label_and_sample(admin, client):
    client.force_login(admin)
    index = client.get("/documents/preview/")
    assert index.status_code == 200
    assert "/documents/preview/entrustment/" in index.content.decode()

    page = client.get("/documents/preview/entrustment/")
    assert page.status_code == 200
    html = page.content.decode()
    with translation.override("zh-hans"):
        for branch in VARIABLES[DocumentKind.ENTRUSTMENT]:
            for path, name, value in variable_rows(DocumentKind.ENTRUSTMENT, branch):
                row = f"<td><code>{path}</code></td><td>{escape(name)}</td><td>{escape(value)}</td>"
                assert row in html
    assert "保底分红（续签）" in html and "入股分红" in html
    assert "织金县珠藏镇乐丰生猪养殖专业合作社" in html and "叁拾万元整" in html


def test_the_sample_paper_opens_as_a_pdf(admin, client):
    client.force_login(admin)
    response = client.get("/documents/preview/loan/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_officials_and_strangers_get_404_and_so_does_an_unknown_kind(cast, admin, client):
    official = cast.client(cast.user("county_poverty_office", "county"))
    for url in ("/documents/preview/", "/documents/preview/loan/", "/documents/preview/loan/pdf/"):
        assert official.get(url).status_code == 404
        assert client.get(url).status_code == 404
    client.force_login(admin)
    assert client.get("/documents/preview/nonsense/").status_code == 404
