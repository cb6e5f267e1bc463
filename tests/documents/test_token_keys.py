"""Keys in a token: the county CA and the organisations keep their private keys in a real
PKCS#11 token (SoftHSM2, initialised by scripts/softhsm-test-token), never in a file, and the
papers they sign validate like any other.

Without softhsm2 or python-pkcs11 these tests are skipped, except under CI (``CI`` set),
where they fail: CI installs both (scripts/sysdeps.sh, pyproject.toml).

SoftHSM2 reads its configuration once per process, so each test process shares one token
(session-scoped: under xdist a worker may run this module's tests apart, and a second token
would never be read); each test uses its own organisation codes, and the CA key is made once.
"""

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from cryptography import x509

from documents import crl, pki, signing, token

ROOT = Path(__file__).resolve().parents[2]
IN_CI = bool(os.environ.get("CI"))
PIN = "246810"


def _missing() -> str:
    if shutil.which("softhsm2-util") is None:
        return "softhsm2 is not installed (scripts/sysdeps.sh installs it)"
    try:
        import pkcs11  # noqa: F401
    except ImportError:
        return "python-pkcs11 is not installed (pip install -e .)"
    return ""


MISSING = _missing()
pytestmark = pytest.mark.skipif(bool(MISSING) and not IN_CI, reason=MISSING)


@pytest.fixture(scope="session")
def token_dir(tmp_path_factory):
    if MISSING:
        pytest.fail(f"CI: {MISSING}")
    directory = tmp_path_factory.mktemp("softhsm")
    printed = subprocess.run(
        [ROOT / "scripts" / "softhsm-test-token", str(directory), "qiyue-test", PIN],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "QIYUE_KEY_STORE=pkcs11" in printed
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(directory / "softhsm2.conf")
    yield directory
    token.close()
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


@pytest.fixture(scope="session")
def token_key_dir(token_dir, tmp_path_factory):
    """One key directory for the process (the token holds one county CA key)."""
    return tmp_path_factory.mktemp("token-keys")


@pytest.fixture
def in_token(token_key_dir, settings, monkeypatch):
    settings.QIYUE_KEY_STORE = "pkcs11"
    settings.QIYUE_PKCS11_TOKEN = "qiyue-test"
    settings.QIYUE_PKCS11_PIN = PIN
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(token_key_dir))
    pki.clear_caches()
    ca = pki.create_county_ca("织金县")
    yield ca
    pki.clear_caches()


@pytest.fixture
def blank_pdf():
    import weasyprint

    return weasyprint.HTML(string="<p>委托协议 测试</p>").write_pdf()


def no_private_key_files(directory: Path) -> list[str]:
    return [p.name for p in directory.rglob("*") if p.is_file() and p.name.endswith("key.pem")]


def test_the_county_ca_and_an_organisation_keep_their_keys_in_the_token(in_token, token_key_dir):
    org = pki.issue_org_key("织金县珠藏镇人民政府", "TOKEN-TOWNSHIP")
    assert token.has_key(token.CA_LABEL) and token.has_key("TOKEN-TOWNSHIP")
    assert no_private_key_files(token_key_dir) == []  # certificates only
    assert pki.has_org_key("TOKEN-TOWNSHIP")
    ca = pki.get_ca().certificate
    org.certificate.verify_directly_issued_by(ca)  # signed by the token's CA key
    ca.verify_directly_issued_by(ca)
    assert org.certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints)


def test_a_paper_signed_with_token_keys_validates_against_the_county_root(in_token, blank_pdf):
    pki.issue_org_key("织金县珠藏镇人民政府", "TOKEN-SIGNER")
    pki.issue_org_key("乐丰生猪养殖专业合作社", "TOKEN-COOP")
    pdf = signing.sign_pdf(
        blank_pdf,
        org_code="TOKEN-SIGNER",
        field_name="act-1",
        signer_name="张德明",
        role="镇长",
        reason="审批",
        signed_at=dt.datetime(2026, 3, 1, 10, 30),
    )
    pdf = signing.sign_pdf(
        pdf,
        org_code="TOKEN-COOP",
        field_name="act-2",
        signer_name="王建国",
        role="理事长",
        reason="签约",
    )
    result = signing.verify_pdf(pdf, crls=[crl.as_asn1(crl.current_der())])
    assert result.ok, [s.errors for s in result.signatures]
    assert result.org_names == ["织金县珠藏镇人民政府", "乐丰生猪养殖专业合作社"]
    assert all(s.intact and s.trusted and not s.revoked for s in result.signatures)


def test_the_token_ca_signs_the_crl_and_a_revoked_token_key_signs_no_more(in_token, blank_pdf, db):
    from documents.revocation import revoke_org_key

    org = pki.issue_org_key("织金县桂果镇人民政府", "TOKEN-REVOKED")
    revoke_org_key(None, "TOKEN-REVOKED", "离任交接")
    published = crl.current()
    assert published.is_signature_valid(pki.get_ca().certificate.public_key())
    assert published.get_revoked_certificate_by_serial_number(org.certificate.serial_number)
    with pytest.raises(signing.SigningError, match="吊销"):
        signing.sign_pdf(
            blank_pdf,
            org_code="TOKEN-REVOKED",
            field_name="act-1",
            signer_name="李四",
            role="镇长",
            reason="审批",
        )


def test_a_new_token_key_replaces_a_revoked_one_and_the_old_one_leaves_the_token(
    in_token, token_key_dir, blank_pdf, db
):
    from documents.revocation import reissue_org_key, revoke_org_key

    old = pki.issue_org_key("织金县大寨村村民委员会", "TOKEN-REKEYED")
    revoke_org_key(None, "TOKEN-REKEYED", "私钥泄露")
    new = reissue_org_key(None, "TOKEN-REKEYED", "更换泄露的私钥")

    assert new.certificate.serial_number != old.certificate.serial_number
    assert new.certificate.public_key() != old.certificate.public_key()
    assert token.has_key("TOKEN-REKEYED") and no_private_key_files(token_key_dir) == []
    from pkcs11 import Attribute, ObjectClass

    for object_class in (ObjectClass.PRIVATE_KEY, ObjectClass.PUBLIC_KEY):
        wanted = {Attribute.CLASS: object_class, Attribute.LABEL: "TOKEN-REKEYED"}
        assert len(list(token._session().get_objects(wanted))) == 1  # the old pair is gone
    pdf = signing.sign_pdf(
        blank_pdf,
        org_code="TOKEN-REKEYED",
        field_name="act-1",
        signer_name="王五",
        role="村主任",
        reason="签约",
    )
    result = signing.verify_pdf(pdf, crls=[crl.as_asn1(crl.current_der())])
    assert result.ok and result.signatures[0].trusted and not result.signatures[0].revoked


def test_the_script_starts_from_an_empty_token(tmp_path):
    if MISSING:
        pytest.fail(f"CI: {MISSING}")
    script = ROOT / "scripts" / "softhsm-test-token"
    subprocess.run([script, str(tmp_path), "again", PIN], check=True, capture_output=True)
    subprocess.run([script, str(tmp_path), "again", PIN], check=True, capture_output=True)
    env = {**os.environ, "SOFTHSM2_CONF": str(tmp_path / "softhsm2.conf")}
    slots = subprocess.run(
        ["softhsm2-util", "--show-slots"], check=True, capture_output=True, text=True, env=env
    ).stdout
    assert slots.count("Label:            again") == 1
