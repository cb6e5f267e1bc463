"""Every kind of paper renders from sample data, with both forms of every amount and no gaps."""

import io

import pytest
from django.core.management import call_command
from pypdf import PdfReader

from documents.models import DocumentKind
from documents.preview import render_sample_pdf


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
    )


def test_loan_agreement_states_the_purpose_and_forbids_company_use(tmp_path):
    out = tmp_path / "loan.pdf"
    call_command("preview_document", "loan", str(out), stdout=io.StringIO())
    content = text(out.read_bytes())
    assert "伍万元整" in content and "¥50,000.00" in content
    assert "购买种猪发展生猪养殖" in content and "户贷企用" in content
    assert "52052419700101001X" in content and "织金农村商业银行珠藏支行" in content
