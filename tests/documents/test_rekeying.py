"""After a revocation, a new key: the county CA issues the organisation a new signing key
(an audited act), the old private key is destroyed, and the papers its revoked key could not
sign are produced again, signed with the new one. A key that is not revoked is kept."""

import io

import pytest
from cryptography import x509
from django.core.management import call_command
from django.core.management.base import CommandError
from pypdf import PdfReader

from documents import crl, pki, production, signing
from documents.models import Document, DocumentKind, DocumentVersion, KeyRevocation
from documents.revocation import RevocationError, reissue_org_key, revoke_org_key
from ground.models import AuditEntry
from processes.models import ImplementationMode
from processes.papers.parties import region_government

from ..flowdriver import Driver
from .test_long_term_validation import TOWNSHIP, sign


@pytest.fixture
def blank_pdf():
    import weasyprint

    return weasyprint.HTML(string="<p>委托协议 测试</p>").write_pdf()


@pytest.fixture
def township(county_ca):
    return pki.issue_org_key(*TOWNSHIP)


@pytest.fixture
def official(django_user_model):
    return django_user_model.objects.create(username="county_ca_officer", first_name="罗志强")


def serial_of(key) -> str:
    return format(key.certificate.serial_number, "x")


def test_a_revoked_key_is_replaced_by_a_new_one_that_signs(client, township, official, blank_pdf):
    before = sign(blank_pdf)
    revoke_org_key(official, TOWNSHIP[1], "私钥泄露")
    old_serial, old_key_path = serial_of(township), township.key_path

    out = io.StringIO()
    call_command(
        "reissue_org_key",
        "--code",
        TOWNSHIP[1],
        "--reason",
        "更换泄露的私钥",
        "--by",
        official.username,
        stdout=out,
    )
    new = pki.get_org_key(TOWNSHIP[1])
    assert serial_of(new) != old_serial and "new key: 织金县珠藏镇人民政府" in out.getvalue()
    assert new.certificate.subject == township.certificate.subject  # same organisation
    # The old private key is gone; its certificate is kept beside, for the record.
    assert pki.load_cert(new.key_path.parent / "retired" / f"{old_serial}.pem") == (
        township.certificate
    )
    assert new.key_path == old_key_path and new.key_path.read_bytes() != b""

    revocation = KeyRevocation.objects.get()
    assert (revocation.replaced_by, revocation.new_serial) == (official, serial_of(new))
    assert revocation.replaced_at >= revocation.revoked_at
    entry = AuditEntry.objects.get(act="org_key.reissue")
    assert (entry.actor, entry.reason, entry.object_id) == (
        official,
        "更换泄露的私钥",
        str(revocation.pk),
    )
    assert entry.before == {"serial": old_serial}
    assert entry.after["serial"] == serial_of(new) and entry.after["code"] == TOWNSHIP[1]

    # It signs again, and a reader with the county CRL finds the new signature sound.
    after = sign(blank_pdf, field="act-2")
    current_crl = crl.as_asn1(crl.current_der())
    result = signing.verify_pdf(after, crls=[current_crl])
    assert result.ok and result.org_names == [TOWNSHIP[0]]
    assert result.signatures[0].trusted and not result.signatures[0].revoked
    # The CRL still lists the old certificate, not the new one; what the old key signed
    # before stays revoked as of now.
    served = x509.load_der_x509_crl(client.get("/pki/county-ca.crl").content)
    assert served.get_revoked_certificate_by_serial_number(int(old_serial, 16)) is not None
    assert served.get_revoked_certificate_by_serial_number(new.certificate.serial_number) is None
    assert signing.verify_pdf(before, crls=[current_crl]).signatures[0].revoked


def test_a_key_that_is_not_revoked_is_kept(township, official):
    with pytest.raises(RevocationError, match="未被吊销"):
        reissue_org_key(official, TOWNSHIP[1], "例行更换")
    with pytest.raises(CommandError, match="未被吊销"):
        call_command(
            "reissue_org_key",
            "--code",
            TOWNSHIP[1],
            "--reason",
            "例行更换",
            "--by",
            "county_ca_officer",
        )
    assert serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(township)
    assert not AuditEntry.objects.filter(act="org_key.reissue").exists()


def test_a_new_key_needs_a_reason_and_is_issued_once_per_revocation(township, official):
    revoke_org_key(official, TOWNSHIP[1], "私钥泄露")
    with pytest.raises(RevocationError, match="原因"):
        reissue_org_key(official, TOWNSHIP[1], "  ")
    with pytest.raises(RevocationError, match="NO-SUCH-ORG"):
        reissue_org_key(official, "NO-SUCH-ORG", "更换")
    assert serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(township)  # nothing changed

    new = reissue_org_key(official, TOWNSHIP[1], "更换泄露的私钥")
    with pytest.raises(RevocationError, match="未被吊销"):  # the new key is sound: kept
        reissue_org_key(official, TOWNSHIP[1], "再次更换")
    assert serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(new)
    assert AuditEntry.objects.filter(act="org_key.reissue").count() == 1


def test_the_paper_a_revoked_key_could_not_sign_is_produced_with_the_new_key(
    cast, django_capture_on_commit_callbacks
):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="entrustment_agreement")
    township = region_government(cast.regions["A"])
    pki.create_county_ca("织金县")
    pki.issue_org_key(township.name, township.code)
    county_office = cast.user("county_poverty_office")
    revoke_org_key(county_office, township.code, "私钥泄露")

    with django_capture_on_commit_callbacks(execute=True):
        driver.step(project, "entrustment_agreement")
    document = Document.objects.get(project=project, kind=DocumentKind.ENTRUSTMENT)
    assert document.latest.status == DocumentVersion.Status.FAILED
    assert "吊销" in document.latest.error
    assert driver.open_task(project).flow_task.name != "entrustment_agreement"  # the act stands

    assert production.retry_failed() == 0  # still revoked: nothing to sign with
    reissue_org_key(county_office, township.code, "更换泄露的私钥")
    assert production.retry_failed() == 1
    document.refresh_from_db()
    assert document.latest.status == DocumentVersion.Status.READY
    with document.latest.pdf.open("rb") as f:
        pdf = f.read()
    result = signing.verify_pdf(pdf, crls=[crl.as_asn1(crl.current_der())])
    assert result.ok and result.org_names == [township.name]
    assert result.signer_names == [cast.user("township_lead", "A").get_full_name()]
    assert "乐丰生猪养殖专业合作社" in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages
    )


# --- On the admin site ------------------------------------------------------------------


@pytest.fixture
def admin(django_user_model, client):
    user = django_user_model.objects.create_superuser(
        "root", password="Root-password-2026", full_name="管理员"
    )
    client.force_login(user)
    return user


def test_a_county_administrator_revokes_a_key_on_the_admin_site(client, admin, township, blank_pdf):
    assert client.get("/admin/documents/keyrevocation/add/").status_code == 200
    refused = client.post(
        "/admin/documents/keyrevocation/add/", {"org_code": TOWNSHIP[1], "reason": "  "}
    )
    assert refused.status_code == 200 and "这个字段是必填项" in refused.content.decode()
    unknown = client.post(
        "/admin/documents/keyrevocation/add/", {"org_code": "NO-SUCH-ORG", "reason": "私钥泄露"}
    ).content.decode()
    assert "NO-SUCH-ORG" in unknown and "未" in unknown
    assert not KeyRevocation.objects.exists() and not crl.revoked()

    done = client.post(
        "/admin/documents/keyrevocation/add/",
        {"org_code": TOWNSHIP[1], "reason": "私钥泄露"},
        follow=True,
    )
    page = done.content.decode()
    assert done.redirect_chain[-1][0] == "/admin/documents/keyrevocation/"
    assert "织金县珠藏镇人民政府的签章密钥已吊销" in page and "签发新密钥" in page
    revocation = KeyRevocation.objects.get()
    assert (revocation.revoked_by, revocation.reason) == (admin, "私钥泄露")
    assert AuditEntry.objects.filter(act="org_key.revoke", actor=admin).count() == 1
    with pytest.raises(signing.SigningError):
        sign(blank_pdf)


def test_a_county_administrator_issues_the_new_key_on_the_admin_site(client, admin, township):
    revocation = revoke_org_key(admin, TOWNSHIP[1], "私钥泄露")
    url = f"/admin/documents/keyrevocation/{revocation.pk}/reissue/"
    page = client.get(url).content.decode()
    assert "为织金县珠藏镇人民政府签发新的签章密钥" in page and revocation.serial in page

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200
    assert serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(township)

    done = client.post(url, {"reason": "更换泄露的私钥"}, follow=True)
    new = pki.get_org_key(TOWNSHIP[1])
    assert serial_of(new) != serial_of(township)
    listing = done.content.decode()
    assert f"织金县珠藏镇人民政府已有新的签章密钥（证书 {serial_of(new)}" in listing
    revocation.refresh_from_db()
    assert revocation.new_serial == serial_of(new) and revocation.replaced_by == admin
    # Once replaced, the page says the key in use is sound and issues nothing more.
    again = client.post(url, {"reason": "再次更换"}).content.decode()
    assert "未被吊销" in again and serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(new)


def test_the_key_pages_are_for_administrators_only(cast, township):
    revocation = revoke_org_key(None, TOWNSHIP[1], "私钥泄露")
    staff = cast.user("county_poverty_office")
    staff.is_staff = True
    staff.save()
    for user, expected in ((staff, 403), (cast.user("village_secretary", "A1"), 302)):
        client = cast.client(user)
        for url in (
            "/admin/documents/keyrevocation/add/",
            f"/admin/documents/keyrevocation/{revocation.pk}/reissue/",
        ):
            assert client.get(url).status_code == expected, (user.username, url)
            assert (
                client.post(url, {"org_code": TOWNSHIP[1], "reason": "x"}).status_code == expected
            )
    assert serial_of(pki.get_org_key(TOWNSHIP[1])) == serial_of(township)
    assert KeyRevocation.objects.count() == 1 and not revocation.new_serial
    # The record cannot be edited or deleted, even by a superuser.
    admin = type(staff).objects.create_superuser("root", password="Root-password-2026")
    client = cast.client(admin)
    assert client.post(f"/admin/documents/keyrevocation/{revocation.pk}/delete/").status_code == 403
    client.post(f"/admin/documents/keyrevocation/{revocation.pk}/change/", {"reason": "改"})
    revocation.refresh_from_db()
    assert revocation.reason == "私钥泄露"
