"""What /verify/ and ``manage.py verify_document`` tell a person, and ``--json`` a machine:
Beijing time, the signer's organisation and person, and for each signature whether it is
intact, trusted (issued by the county CA) and not revoked."""

import datetime
import io
import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation

from documents.models import DocumentKind, DocumentVersion
from processes.models import ImplementationMode

from ..flowdriver import Driver


@pytest.fixture
def entrustment(cast, django_capture_on_commit_callbacks):
    """The entrustment agreement of a project, as the township signed it."""
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00")
    driver.run(project, until="entrustment_agreement")
    with django_capture_on_commit_callbacks(execute=True):
        driver.step(project, "entrustment_agreement")
    document = project.documents.get(kind=DocumentKind.ENTRUSTMENT)
    version = document.latest
    assert version.status == DocumentVersion.Status.READY, version.error
    with version.pdf.open("rb") as f:
        return document, f.read()


def beijing(moment) -> str:
    return timezone.localtime(moment, timezone.get_default_timezone()).strftime("%Y-%m-%d %H:%M:%S")


def altered(pdf: bytes) -> bytes:
    position = pdf.index(b"/Type /Page") + 2
    return (
        pdf[:position]
        + (b"X" if pdf[position : position + 1] != b"X" else b"Y")
        + pdf[position + 1 :]
    )


def test_the_page_shows_each_signature_in_beijing_time_with_organisation_person_and_checks(
    cast, entrustment
):
    document, pdf = entrustment
    signatures = list(document.edition.signatures.order_by("order"))
    html = Client().post("/verify/", {"file": io.BytesIO(pdf)}).content.decode()
    assert "签署时间（北京时间）" in html
    for signature in signatures:
        assert beijing(signature.signed_at) in html
        assert signature.organisation in html and signature.signer_name in html
    assert signatures
    assert html.count('data-intact="yes" data-trusted="yes" data-revoked="no"') == len(signatures)
    assert "✓ 完好" in html and "✓ 可信" in html and "✓ 未吊销" in html
    assert "织金县 数字证书认证中心" in html  # the trust anchor, named


def test_the_page_in_english_says_the_same_in_english(cast, entrustment):
    _document, pdf = entrustment
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.post("/verify/", {"file": io.BytesIO(pdf)}).content.decode()
    assert "Signed at (Beijing time)" in html
    assert "✓ intact" in html and "✓ trusted" in html and "✓ not revoked" in html


def test_an_altered_file_is_shown_as_changed_not_intact(entrustment):
    _document, pdf = entrustment
    html = Client().post("/verify/", {"file": io.BytesIO(altered(pdf))}).content.decode()
    assert 'data-status="tampered"' in html and "✗ 已改动" in html


def test_the_command_tells_a_person_in_chinese_with_beijing_time(cast, entrustment, tmp_path):
    document, pdf = entrustment
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    out = io.StringIO()
    call_command("verify_document", str(path), stdout=out)
    text = out.getvalue()
    signatures = list(document.edition.signatures.order_by("order"))
    for signature in signatures:
        assert f"签署时间：{beijing(signature.signed_at)}（北京时间）" in text
        assert signature.organisation in text and signature.signer_name in text
    assert text.count("完好（签署后未被改动）：是") == len(signatures)
    assert text.count("可信（证书由织金县 数字证书认证中心签发）：是") == len(signatures)
    assert text.count("未吊销：是") == len(signatures)


def test_the_command_speaks_english_when_english_is_active(entrustment, tmp_path):
    _document, pdf = entrustment
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    out = io.StringIO()
    with translation.override("en"):
        call_command("verify_document", str(path), stdout=out)
    assert "(Beijing time)" in out.getvalue() and "not revoked: yes" in out.getvalue()


def test_the_command_prints_one_json_object_for_machines(cast, entrustment, tmp_path):
    document, pdf = entrustment
    path = tmp_path / "agreement.pdf"
    path.write_bytes(pdf)
    out = io.StringIO()
    call_command("verify_document", str(path), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["status"] == "authentic" and data["authentic"] is True
    assert data["document"]["number"] == document.number
    assert data["time_zone"] == "Asia/Shanghai"
    assert data["trust_anchor"] == "织金县 数字证书认证中心"
    signatures = list(document.edition.signatures.order_by("order"))
    assert signatures
    assert [(s["organisation"], s["signer"], s["role"]) for s in data["signatures"]] == [
        (s.organisation, s.signer_name, s.role) for s in signatures
    ]
    for given, recorded in zip(data["signatures"], signatures, strict=True):
        assert given["signed_at"].endswith("+08:00")
        assert given["signed_at"][:19].replace("T", " ") == beijing(recorded.signed_at)
        assert (given["intact"], given["trusted"], given["revoked"], given["ok"]) == (
            True,
            True,
            False,
            True,
        )


def test_the_json_of_an_altered_file_says_so_and_the_command_exits_1(entrustment, tmp_path):
    _document, pdf = entrustment
    path = tmp_path / "altered.pdf"
    path.write_bytes(altered(pdf))
    out = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("verify_document", str(path), "--json", stdout=out)
    assert error.value.returncode == 1
    data = json.loads(out.getvalue())
    assert data["status"] == "tampered" and data["authentic"] is False
    assert "title" not in data["document"]  # a changed file's title is not repeated
    assert not all(s["intact"] for s in data["signatures"]) and data["problems"]


def test_a_paper_signed_before_its_key_was_revoked_stays_authentic(cast, entrustment):
    """Revocation is not retroactive: the paper is checked as of when it was produced; the
    same key signs nothing after (tests/documents/test_long_term_validation.py)."""
    from documents.revocation import revoke_org_key
    from documents.verification import check

    document, pdf = entrustment
    signature = document.edition.signatures.get(order=1)
    # A CRL's times are whole seconds (and pyHanko allows a second either way): let the paper
    # have been produced a minute before the key is revoked, as it would be in life.
    version = document.latest
    DocumentVersion.objects.filter(pk=version.pk).update(
        produced_at=version.produced_at - datetime.timedelta(minutes=1)
    )
    revoke_org_key(cast.user("county_poverty_office"), signature.organisation_code, "私钥泄露")
    verdict = check(pdf)
    assert verdict.status == "authentic"
    assert [(s.intact, s.trusted, s.revoked) for s in verdict.signatures] == [(True, True, False)]
