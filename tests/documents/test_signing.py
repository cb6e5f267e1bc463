"""PAdES signatures by the county CA's organisation keys: signing in sequence and verifying.

Every test gets its own key directory (``key_dir`` / ``county_ca`` in conftest.py).
"""

import asyncio
import datetime as dt
import io
import os
import re
import stat
import time
from zoneinfo import ZoneInfo

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from documents import pki, signing

SHANGHAI = ZoneInfo("Asia/Shanghai")
TOWNSHIP = ("织金县珠藏镇人民政府", "11520826MB1234567X")
COOP = ("乐丰生猪养殖专业合作社", "93520826MA6XXXXX1K")
T1 = dt.datetime(2025, 3, 1, 10, 30, tzinfo=SHANGHAI)
T2 = dt.datetime(2025, 3, 2, 9, 15, tzinfo=SHANGHAI)

# PEM armour lines, spelled in pieces so no file in the repository looks like a key.
PKCS8_PLAIN = b"BEGIN " + b"PRIVATE KEY"
PKCS8_ENCRYPTED = b"BEGIN ENCRYPTED " + b"PRIVATE KEY"


@pytest.fixture(scope="module")
def blank_pdf():
    import weasyprint

    return weasyprint.HTML(string="<p>委托协议 测试</p>").write_pdf()


@pytest.fixture
def orgs(county_ca):
    return {
        "township": pki.issue_org_key(*TOWNSHIP),
        "coop": pki.issue_org_key(*COOP, unit="理事会"),
    }


def sign_township(pdf):
    return signing.sign_pdf(
        pdf,
        org_code=TOWNSHIP[1],
        field_name="act-1",
        signer_name="张德明",
        role="镇长",
        reason="镇长签署《委托协议》",
        location="珠藏镇",
        signed_at=T1,
    )


def sign_coop(pdf):
    return signing.sign_pdf(
        pdf,
        org_code=COOP[1],
        field_name="act-2",
        signer_name="王建国",
        role="理事长",
        reason="理事长签署《委托协议》",
        location="乐丰村",
        signed_at=T2,
    )


@pytest.fixture
def signed_twice(orgs, blank_pdf):
    first = sign_township(blank_pdf)
    return blank_pdf, first, sign_coop(first)


def flipped(pdf: bytes, position: int, mask: int = 0x01) -> bytes:
    data = bytearray(pdf)
    data[position] ^= mask
    return bytes(data)


def byte_ranges(pdf: bytes) -> list[list[int]]:
    return [
        [int(x) for x in m.group(1).split()] for m in re.finditer(rb"/ByteRange \[([^\]]*)\]", pdf)
    ]


# --- the county CA and organisation keys ------------------------------------------------


def test_county_ca_is_created_once(key_dir):
    ca = pki.create_county_ca("织金县")
    assert ca.created
    assert ca.cert_path.is_file() and ca.key_path.is_file()
    assert ca.cert_path.is_relative_to(key_dir)
    assert stat.S_IMODE(os.stat(ca.key_path).st_mode) == 0o600
    assert PKCS8_PLAIN in ca.key_path.read_bytes()  # PKCS#8, no passphrase set

    cert = ca.certificate
    assert cert.subject == cert.issuer
    assert (
        cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        == "织金县 数字证书认证中心"
    )
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "织金县"
    assert cert.subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "CN"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
    assert cert.not_valid_after_utc - cert.not_valid_before_utc > dt.timedelta(days=365 * 20)

    again = pki.create_county_ca("织金县")
    assert not again.created
    assert again.fingerprint == ca.fingerprint
    # One CA per key directory: another name gets the existing CA, not a second one.
    other = pki.create_county_ca("纳雍县")
    assert (other.county_name, other.fingerprint) == ("织金县", ca.fingerprint)
    assert [root.sha256 for root in pki.trust_roots()] == [cert.fingerprint(hashes.SHA256())]


def test_organisation_key_is_issued_once_by_the_county_ca(county_ca):
    org = pki.issue_org_key(*TOWNSHIP, unit="党政办")
    assert org.created
    assert stat.S_IMODE(os.stat(org.key_path).st_mode) == 0o600
    cert = org.certificate
    assert cert.issuer == county_ca.certificate.subject
    cert.verify_directly_issued_by(county_ca.certificate)
    subject = {attr.oid: attr.value for attr in cert.subject}
    assert subject[NameOID.ORGANIZATION_NAME] == "织金县珠藏镇人民政府"
    assert subject[NameOID.COMMON_NAME] == "织金县珠藏镇人民政府"
    assert subject[NameOID.SERIAL_NUMBER] == "11520826MB1234567X"
    assert subject[NameOID.ORGANIZATIONAL_UNIT_NAME] == "党政办"
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    ekus = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert pki.DOCUMENT_SIGNING in ekus and ExtendedKeyUsageOID.EMAIL_PROTECTION in ekus

    again = pki.issue_org_key(*TOWNSHIP)
    assert not again.created and again.fingerprint == org.fingerprint
    assert pki.has_org_key(TOWNSHIP[1]) and not pki.has_org_key(COOP[1])
    with pytest.raises(pki.PKIError, match="already issued"):
        pki.issue_org_key("另一个单位", TOWNSHIP[1])
    with pytest.raises(pki.PKIError, match="Invalid organisation code"):
        pki.issue_org_key("某单位", "../../etc")


def test_no_keys_without_a_county_ca(key_dir):
    with pytest.raises(pki.PKIError, match="create_ca"):
        pki.issue_org_key(*TOWNSHIP)
    assert pki.trust_roots() == []


def test_keys_are_refused_inside_the_source_tree(settings, monkeypatch):
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(settings.BASE_DIR / "documents" / "keys"))
    with pytest.raises(pki.PKIError, match="source tree"):
        pki.create_county_ca("织金县")
    assert not (settings.BASE_DIR / "documents" / "keys").exists()
    monkeypatch.delenv(pki.KEY_DIR_ENV)
    assert pki.resolve_key_dir() == (settings.VAR_DIR / "keys").resolve()


def test_passphrase_encrypts_private_keys(key_dir, monkeypatch, blank_pdf):
    monkeypatch.setenv(pki.PASSPHRASE_ENV, "县里的口令")
    ca = pki.create_county_ca("织金县")
    org = pki.issue_org_key(*TOWNSHIP)
    for path in (ca.key_path, org.key_path):
        assert PKCS8_ENCRYPTED in path.read_bytes()
    assert signing.verify_pdf(sign_township(blank_pdf)).ok

    pki.clear_caches()
    monkeypatch.delenv(pki.PASSPHRASE_ENV)
    with pytest.raises(signing.SigningError, match=pki.PASSPHRASE_ENV):
        sign_township(blank_pdf)
    monkeypatch.setenv(pki.PASSPHRASE_ENV, "wrong")
    with pytest.raises(signing.SigningError, match="Cannot read private key"):
        sign_township(blank_pdf)


# --- signing in sequence ----------------------------------------------------------------


def test_two_organisations_sign_in_sequence(signed_twice):
    blank, first, second = signed_twice
    # Incremental updates: each revision starts with the bytes of the previous one.
    assert first.startswith(blank) and second.startswith(first)

    result = signing.verify_pdf(second)
    assert result.ok, result
    assert [s.field_name for s in result.signatures] == ["act-1", "act-2"]
    assert result.org_names == ["织金县珠藏镇人民政府", "乐丰生猪养殖专业合作社"]
    assert result.signer_names == ["张德明", "王建国"]
    township, coop = result.signatures
    assert (township.org_code, township.role, township.reason, township.location) == (
        "11520826MB1234567X",
        "镇长",
        "镇长签署《委托协议》",
        "珠藏镇",
    )
    assert (coop.org_code, coop.unit, coop.role) == ("93520826MA6XXXXX1K", "理事会", "理事长")
    assert (township.signed_at, coop.signed_at) == (T1, T2)
    assert all(s.intact and s.valid and s.ok and not s.errors for s in result.signatures)

    # The first signature covers its own revision only; what came after is a signature.
    assert township.coverage == "ENTIRE_REVISION"
    assert township.modification_level == "FORM_FILLING"
    assert not township.modified_after
    assert coop.coverage == "ENTIRE_FILE"
    assert coop.modification_level == "NONE"

    # After the first act alone the document is complete and valid too.
    alone = signing.verify_pdf(first)
    assert alone.ok and alone.signer_names == ["张德明"]
    assert alone.signatures[0].coverage == "ENTIRE_FILE"


def test_signatures_validate_with_pyhanko_directly(signed_twice):
    reader = PdfFileReader(io.BytesIO(signed_twice[2]))
    assert len(reader.embedded_signatures) == 2
    for embedded in reader.embedded_signatures:
        status = validate_pdf_signature(
            embedded, ValidationContext(trust_roots=pki.trust_roots(), allow_fetching=False)
        )
        assert status.bottom_line, status.pretty_print_details()
        assert embedded.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"  # PAdES


def test_revision_digests_read_from_the_byte_ranges_are_pyhankos(signed_twice):
    """The digests stored for a paper we signed (read from its /ByteRange arrays, without
    parsing the file) are those pyHanko computes for each signature, in signing order."""
    blank, first, second = signed_twice
    for pdf, count in ((blank, 0), (first, 1), (second, 2)):
        reader = PdfFileReader(io.BytesIO(pdf))
        expected = [s.compute_digest("sha256").hex() for s in reader.embedded_regular_signatures]
        assert len(expected) == count
        assert signing.revision_digests(pdf) == expected


def test_naive_signing_time_is_china_time(orgs, blank_pdf):
    pdf = signing.sign_pdf(
        blank_pdf,
        org_code=TOWNSHIP[1],
        field_name="act-9",
        signer_name="张德明",
        role="镇长",
        reason="审批",
        signed_at=dt.datetime(2025, 3, 1, 10, 30),
    )
    assert signing.verify_pdf(pdf).signatures[0].signed_at == T1


def test_bad_signing_requests_are_refused(orgs, blank_pdf):
    first = sign_township(blank_pdf)
    with pytest.raises(signing.SigningError, match="already has a signature field"):
        sign_township(first)
    with pytest.raises(signing.SigningError, match="Invalid signature field name"):
        signing.sign_pdf(
            blank_pdf, org_code=TOWNSHIP[1], field_name="a.b", signer_name="x", role="", reason=""
        )
    with pytest.raises(signing.SigningError, match="No signing key"):
        signing.sign_pdf(
            blank_pdf, org_code="NOSUCHORG", field_name="a", signer_name="x", role="", reason=""
        )
    with pytest.raises(signing.SigningError, match="Not a readable PDF"):
        signing.sign_pdf(
            b"not a pdf", org_code=TOWNSHIP[1], field_name="a", signer_name="x", role="", reason=""
        )


# --- tampering --------------------------------------------------------------------------


def _positions(blank: bytes, first: bytes, second: bytes) -> dict[str, int]:
    (_, len1, start2, _), (_, len2, start3, _) = byte_ranges(second)
    stream = blank.index(b"stream", blank.index(b"/Length")) + 12
    return {
        "page content of the original": stream,
        "first signer's /Name": first.index(b"/Name", len(blank)) + 8,
        "first signature container": len1 + 200,  # covered by the second signature
        "second signer's /Reason": second.index(b"/Reason", len(first)) + 8,
        "second signature container": len2 + 200,  # covered by no signature
        "second container's length": len2 + 6,
        "second container's padding": start3 - 10,
        "last cross-reference section": second.rindex(b"xref") + 10,
        "end of file": len(second) - 3,
    }


@pytest.mark.parametrize(
    "where",
    [
        "page content of the original",
        "first signer's /Name",
        "first signature container",
        "second signer's /Reason",
        "second signature container",
        "second container's length",
        "second container's padding",
        "last cross-reference section",
        "end of file",
    ],
)
def test_changing_one_byte_fails_verification(signed_twice, where):
    position = _positions(*signed_twice)[where]
    result = signing.verify_pdf(flipped(signed_twice[2], position))
    assert not result.ok


def test_changed_content_breaks_the_digest(signed_twice):
    blank, _, second = signed_twice
    position = _positions(*signed_twice)["page content of the original"]
    result = signing.verify_pdf(flipped(second, position))
    assert not result.ok
    # Both signatures cover the original page; neither digest matches any more.
    assert [s.intact for s in result.signatures] == [False, False]


def test_every_sampled_byte_is_protected(signed_twice):
    pdf = signed_twice[2]
    step = max(1, len(pdf) // 80)
    survivors = [i for i in range(0, len(pdf), step) if signing.verify_pdf(flipped(pdf, i)).ok]
    assert survivors == []


def _append_update(pdf: bytes, change) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _add_drawing(writer):
    ref = writer.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 10 10 200 50 re f Q"))
    writer.add_stream_to_page(0, ref)


def _rewrite_page_content(writer):
    page = writer.root["/Pages"]["/Kids"][0]
    ref = page.raw_get("/Contents")
    stream = ref.get_object()
    stream.strip_filters()
    stream._data = stream._encoded_data = stream.data.replace(b"0 0 0 rg", b"1 0 0 rg")
    writer.mark_update(ref)


def _change_metadata_title(writer):
    info = writer.trailer["/Info"]
    info["/Title"] = generic.TextStringObject("伪造的标题")
    writer.update_container(info)


@pytest.mark.parametrize("change", [_add_drawing, _rewrite_page_content])
def test_content_changed_after_signing_is_detected(signed_twice, change):
    tampered = _append_update(signed_twice[2], change)
    assert tampered.startswith(signed_twice[2])
    result = signing.verify_pdf(tampered)
    assert not result.ok
    # The signatures themselves are intact: it is the later revision that is illegitimate.
    assert all(s.intact and s.valid for s in result.signatures)
    assert result.signatures[-1].coverage == "ENTIRE_REVISION"
    assert any(s.modified_after for s in result.signatures)


def test_an_unsigned_metadata_update_is_not_ok(signed_twice):
    # pyHanko counts metadata as harmless (LTA_UPDATES), but nobody signed that revision.
    result = signing.verify_pdf(_append_update(signed_twice[2], _change_metadata_title))
    assert not result.ok
    assert [s.modification_level for s in result.signatures] == ["FORM_FILLING", "LTA_UPDATES"]
    assert result.signatures[-1].coverage == "ENTIRE_REVISION"


def test_a_signature_from_another_ca_is_not_trusted(
    signed_twice, key_dir, tmp_path, monkeypatch, blank_pdf
):
    forger = tmp_path / "forger-keys"
    pki.create_county_ca("某某县", key_dir=forger)
    pki.issue_org_key(*COOP, key_dir=forger)  # same name and code as the real co-operative
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(forger))
    forged_alone = sign_coop(blank_pdf)
    forged_second = sign_coop(signed_twice[1])
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(key_dir))

    for pdf in (forged_alone, forged_second):
        result = signing.verify_pdf(pdf)
        assert not result.ok
        forged = result.signatures[-1]
        assert forged.org_name == COOP[0]
        assert forged.intact and not forged.valid
        assert any("county CA" in e for e in forged.errors)
    assert signing.verify_pdf(forged_second).signatures[0].ok  # the township's is still fine


def test_unsigned_or_unreadable_pdf_is_not_ok(county_ca, blank_pdf):
    for pdf in (blank_pdf, b"", b"%PDF-1.7 garbage"):
        result = signing.verify_pdf(pdf)
        assert not result.ok
        assert result.signatures == []
        assert result.errors


def test_without_a_county_ca_nothing_verifies(signed_twice, key_dir):
    (key_dir / "ca" / "ca.cert.pem").unlink()
    pki.clear_caches()
    result = signing.verify_pdf(signed_twice[2])
    assert not result.ok and not any(s.valid for s in result.signatures)


def test_verify_works_inside_an_event_loop(signed_twice):
    async def check():
        return signing.verify_pdf(signed_twice[2])

    assert asyncio.run(check()).ok


# --- speed ------------------------------------------------------------------------------


def test_sign_and_verify_are_fast_enough_for_batches(orgs, blank_pdf, capsys):
    rounds = 20
    sign_times, verify_times = [], []
    for i in range(rounds):
        started = time.perf_counter()
        pdf = signing.sign_pdf(
            blank_pdf,
            org_code=TOWNSHIP[1],
            field_name=f"a{i}",
            signer_name="张德明",
            role="镇长",
            reason="审批",
        )
        pdf = signing.sign_pdf(
            pdf,
            org_code=COOP[1],
            field_name=f"b{i}",
            signer_name="王建国",
            role="理事长",
            reason="签约",
        )
        sign_times.append((time.perf_counter() - started) / 2)
        started = time.perf_counter()
        assert signing.verify_pdf(pdf).ok
        verify_times.append(time.perf_counter() - started)
    sign_ms = 1000 * sorted(sign_times)[rounds // 2]
    verify_ms = 1000 * sorted(verify_times)[rounds // 2]
    with capsys.disabled():
        print(
            f"\n  median: {sign_ms:.1f} ms per signature, {verify_ms:.1f} ms to verify a 2-signature PDF"
        )
    # Hundreds of documents a batch: well under a second each, with room for slow CI machines.
    assert sign_ms < 250 and verify_ms < 500


# --- management commands ----------------------------------------------------------------


def test_management_commands_are_idempotent(key_dir):
    out = io.StringIO()
    call_command("create_ca", county="织金县", stdout=out)
    ca = pki.get_ca()
    assert (
        "Created" in out.getvalue()
        and str(ca.cert_path) in out.getvalue()
        and ca.fingerprint in out.getvalue()
    )
    out = io.StringIO()
    call_command("create_ca", county="织金县", stdout=out)
    assert "already exists" in out.getvalue() and ca.fingerprint in out.getvalue()

    out = io.StringIO()
    call_command("issue_org_key", name=TOWNSHIP[0], code=TOWNSHIP[1], unit="党政办", stdout=out)
    org = pki.get_org_key(TOWNSHIP[1])
    assert (
        "Issued" in out.getvalue()
        and str(org.key_path) in out.getvalue()
        and org.fingerprint in out.getvalue()
    )
    out = io.StringIO()
    call_command("issue_org_key", name=TOWNSHIP[0], code=TOWNSHIP[1], stdout=out)
    assert "already has a signing key" in out.getvalue() and org.fingerprint in out.getvalue()
    with pytest.raises(CommandError, match="already issued"):
        call_command("issue_org_key", name="别的单位", code=TOWNSHIP[1], stdout=io.StringIO())


def test_verification_at_a_moment(signed_twice, orgs):
    pdf = signed_twice[2]
    expiry = orgs["township"].not_after
    assert signing.verify_pdf(pdf, moment=expiry - dt.timedelta(days=1)).ok
    late = signing.verify_pdf(pdf, moment=expiry + dt.timedelta(days=1))
    assert not late.ok and not late.signatures[0].valid
