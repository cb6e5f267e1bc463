"""Every kind of paper renders from sample data, with both forms of every amount and no gaps."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from documents.html import MissingVariable, render_paper
from documents.models import DocumentKind
from documents.preview import VARIABLES, render_sample_html, render_sample_pdf, sample

BRANCHES = [(kind, branch) for kind, branches in VARIABLES.items() for branch in branches]
REGISTERED = [(kind, branch, path) for kind, branch in BRANCHES for path in VARIABLES[kind][branch]]


def text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("kind", DocumentKind.values)
def test_every_kind_renders_from_sample_data(kind):
    content = text(render_sample_pdf(kind))
    assert "None" not in content and "{{" not in content
    assert "王喆" in content or kind in (
        "approval_reply",
        "acceptance_report",
        "reimbursement_form",
        "ownership_certificate",
    )


def test_loan_agreement_states_the_purpose_and_forbids_company_use(tmp_path):
    out = tmp_path / "loan.pdf"
    call_command("preview_document", "loan", str(out), stdout=io.StringIO())
    content = text(out.read_bytes())
    assert "伍万元整" in content and "¥50,000.00" in content
    assert "购买种猪发展生猪养殖" in content and "户贷企用" in content
    assert "52052419700101001X" in content and "织金农村商业银行珠藏支行" in content


def values_at(data, path):
    """The sample's values at a registered path (one per row under ``*``)."""
    values = [data]
    for step in path.split("."):
        values = [row for value in values for row in value] if step == "*" else values
        values = [value[step] for value in values] if step != "*" else values
    return values


def test_every_kind_has_its_variables_registered():
    assert set(VARIABLES) == set(DocumentKind.values)


@pytest.mark.parametrize("kind,branch", BRANCHES)
def test_every_variable_of_every_kind_is_filled_in_its_sample(kind, branch):
    data = sample(kind, branch)
    for path in VARIABLES[kind][branch]:
        values = values_at(data, path)
        assert values and all(v is not None and v != "" for v in values), path


@pytest.mark.parametrize("kind,branch", BRANCHES)
def test_every_branch_of_every_kind_renders_from_exactly_its_registered_variables(kind, branch):
    html = render_sample_html(kind, sample(kind, branch))
    assert "None" not in html and "{{" not in html


@pytest.mark.parametrize("kind,branch,path", REGISTERED)
def test_leaving_out_any_registered_variable_makes_rendering_fail(kind, branch, path):
    with pytest.raises(MissingVariable):
        render_sample_html(kind, sample(kind, branch, without=path))


def test_the_entrustment_without_its_terms_section_does_not_render():
    data = sample(DocumentKind.ENTRUSTMENT)
    del data["terms"]
    with pytest.raises(MissingVariable, match="terms"):
        render_sample_html(DocumentKind.ENTRUSTMENT, data)


def test_a_missing_value_inside_a_condition_fails_too():
    data = sample(DocumentKind.ENTRUSTMENT)
    del data["terms"]["guaranteed"]  # read only by {% if terms.guaranteed %}
    with pytest.raises(MissingVariable, match=r"terms\.guaranteed"):
        render_sample_html(DocumentKind.ENTRUSTMENT, data)


def test_the_sites_templates_keep_djangos_forgiving_lookups():
    from django.template import engines

    assert engines["django"].from_string("[{{ missing.value }}]").render({}) == "[]"
    with pytest.raises(MissingVariable):
        render_paper(
            "approval_reply/v1",
            {},
            title="x",
            number="1",
            kind_word="批复",
            signature_blocks=[],
            verify_url="",
            qr_code="",
        )
