"""Papers that validate offline, years later: the county CA publishes a CRL, revoking a key
is an audited act after which the key signs nothing, every signature carries the CRL in the
document's DSS (PAdES B-LT), and with QIYUE_TSA_URL a trusted time-stamp from a real RFC 3161
service over HTTP (one the test starts itself)."""

import datetime as dt
import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

from documents import crl, pki, signing
from documents.keyfiles import load_key
from documents.models import KeyRevocation
from ground.models import AuditEntry

TOWNSHIP = ("织金县珠藏镇人民政府", "11520826MB1234567X")


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


def sign(pdf: bytes, field="act-1") -> bytes:
    return signing.sign_pdf(
        pdf,
        org_code=TOWNSHIP[1],
        field_name=field,
        signer_name="张德明",
        role="镇长",
        reason="审批",
    )


def root():
    return pki.trust_roots()[0]


def test_organisation_certificates_name_the_crl_the_site_serves(client, township):
    (point,) = township.certificate.extensions.get_extension_for_class(
        x509.CRLDistributionPoints
    ).value
    url = point.full_name[0].value
    assert url == "http://127.0.0.1:8000/pki/county-ca.crl"
    response = client.get("/pki/county-ca.crl")
    assert response.status_code == 200 and response["Content-Type"] == "application/pkix-crl"
    served = x509.load_der_x509_crl(response.content)
    ca = pki.get_ca().certificate
    assert served.issuer == ca.subject and served.is_signature_valid(ca.public_key())
    assert len(served) == 0 and served.next_update_utc > dt.datetime.now(dt.UTC)


def test_no_crl_before_there_is_a_county_ca(client, key_dir):
    assert client.get("/pki/county-ca.crl").status_code == 404


def test_revoking_a_key_is_audited_listed_in_the_crl_and_the_key_signs_no_more(
    client, township, official, blank_pdf
):
    before = sign(blank_pdf)
    out = io.StringIO()
    call_command(
        "revoke_org_key",
        "--code",
        TOWNSHIP[1],
        "--reason",
        "私钥泄露",
        "--by",
        official.username,
        stdout=out,
    )
    revocation = KeyRevocation.objects.get()
    assert (revocation.org_code, revocation.org_name, revocation.revoked_by) == (
        TOWNSHIP[1],
        TOWNSHIP[0],
        official,
    )
    entry = AuditEntry.objects.get(act="org_key.revoke")
    assert (entry.actor, entry.reason, entry.object_id) == (
        official,
        "私钥泄露",
        str(revocation.pk),
    )
    assert entry.after == {"name": TOWNSHIP[0], "code": TOWNSHIP[1], "serial": revocation.serial}

    served = x509.load_der_x509_crl(client.get("/pki/county-ca.crl").content)
    listed = served.get_revoked_certificate_by_serial_number(township.certificate.serial_number)
    assert listed is not None

    with pytest.raises(signing.SigningError) as refused:
        sign(blank_pdf, field="act-2")
    assert "被县数字证书认证中心吊销" in str(refused.value) and TOWNSHIP[0] in str(refused.value)

    # What it signed before: revoked as of now, valid as of when it was produced.
    now = signing.verify_pdf(before, crls=[crl.as_asn1(crl.current_der())])
    assert not now.ok and now.signatures[0].revoked and not now.signatures[0].trusted
    then = signing.verify_pdf(before, moment=listed.revocation_date_utc - dt.timedelta(minutes=1))
    assert then.ok and not then.signatures[0].revoked

    with pytest.raises(CommandError):  # once is enough
        call_command(
            "revoke_org_key", "--code", TOWNSHIP[1], "--reason", "再次", "--by", official.username
        )
    assert (
        KeyRevocation.objects.count() == 1
        and AuditEntry.objects.filter(act="org_key.revoke").count() == 1
    )


def test_revoking_needs_a_reason_and_an_issued_key(township, official):
    from documents.revocation import RevocationError, revoke_org_key

    with pytest.raises(RevocationError, match="原因"):
        revoke_org_key(official, TOWNSHIP[1], " ")
    with pytest.raises(RevocationError, match="NO-SUCH-ORG"):
        revoke_org_key(official, "NO-SUCH-ORG", "私钥泄露")
    assert not KeyRevocation.objects.exists() and not crl.revoked()


def test_a_signature_carries_the_crl_in_the_dss_and_validates_offline(township, blank_pdf):
    pdf = sign(sign(blank_pdf), field="act-2")
    reader = PdfFileReader(io.BytesIO(pdf))
    dss = DocumentSecurityStore.read_dss(reader)
    assert len(dss.crls) == 1 and root().dump() in {c.dump() for c in dss.load_certs()}
    # A stranger's reader: the county root as the only anchor, no network, revocation
    # checking required — what it needs comes from the file itself.
    offline = dss.as_validation_context(
        {"trust_roots": [root()], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    for sig in reader.embedded_signatures:
        status = validate_pdf_signature(sig, signer_validation_context=offline)
        assert status.intact and status.valid and status.trusted and not status.revoked
    # The CRL it carries is the county's, as the site publishes it.
    embedded = dss.crls[0].get_object().data
    assert x509.load_der_x509_crl(embedded).issuer == pki.get_ca().certificate.subject
    # Our own verification still pins every byte: the last signature covers the whole file.
    assert signing.verify_pdf(pdf).ok


# --- A time-stamping authority the test runs itself ---------------------------------------


def issue_tsa_certificate():
    """A time-stamping certificate from the county CA (critical id-kp-timeStamping); RSA, as
    pyHanko's TSA engine signs only with RSA."""
    ca = pki.get_ca()
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "织金县 时间戳服务")]))
        .issuer_name(ca.certificate.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(load_key(ca.key_path), hashes.SHA256())
    )
    from cryptography.hazmat.primitives import serialization

    return (
        asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        pki._asn1_key(key),
    )


@pytest.fixture
def tsa_url(county_ca, settings):
    """An RFC 3161 service over HTTP on a free port, answering with pyHanko's TSA engine."""
    tsa_cert, tsa_key = issue_tsa_certificate()
    engine = DummyTimeStamper(tsa_cert=tsa_cert, tsa_key=tsa_key)
    requests = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server API)
            body = self.rfile.read(int(self.headers["Content-Length"]))
            requests.append(self.headers["Content-Type"])
            request = tsp.TimeStampReq.load(body)
            answer = engine.request_tsa_response(request).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.QIYUE_TSA_URL = f"http://127.0.0.1:{server.server_address[1]}/tsa"
    yield settings.QIYUE_TSA_URL, requests
    server.shutdown()
    server.server_close()


def test_with_a_tsa_each_signature_gets_a_trusted_time_stamp_and_validates_offline(
    township, blank_pdf, tsa_url
):
    _url, requests = tsa_url
    started = dt.datetime.now(dt.UTC).replace(microsecond=0)
    pdf = sign(blank_pdf)
    assert requests == ["application/timestamp-query"]  # asked over HTTP, once
    result = signing.verify_pdf(pdf)
    assert result.ok
    (info,) = result.signatures
    assert info.timestamped_at is not None and info.timestamped_at >= started
    # Offline, as a stranger's reader: the county root, and the CRL and certificates in the DSS.
    reader = PdfFileReader(io.BytesIO(pdf))
    offline = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {"trust_roots": [root()], "allow_fetching": False, "revocation_mode": "hard-fail"}
    )
    status = validate_pdf_signature(
        reader.embedded_signatures[0], signer_validation_context=offline
    )
    assert status.intact and status.valid and status.trusted
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted
    assert status.timestamp_validity.timestamp == info.timestamped_at
