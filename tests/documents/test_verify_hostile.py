"""/verify/ against a visitor who makes files: "ours" is decided from the signed bytes and
the hashes stored at signing, never from what a file's author chose; an unknown file shows
nothing of ours; the by-number page wants the whole check code; a file made to hurt the
reader is refused in seconds with a sentence, not a 500 and not minutes of CPU."""

import io
import re
import time

import pytest
from django.test import Client

from documents import pki, signing
from documents.models import DocumentKind, DocumentVersion, Signature, SignedRevision
from processes.models import ImplementationMode

from ..flowdriver import Driver
from . import hostile_pdfs


@pytest.fixture
def linkage(cast, django_capture_on_commit_callbacks):
    """A signed benefit-linkage agreement: its title names a household."""
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until="entrustment_agreement")
    for step in ("entrustment_agreement", "benefit_linkage_agreements"):
        with django_capture_on_commit_callbacks(execute=True):
            driver.step(project, step)
    document = project.documents.filter(kind=DocumentKind.BENEFIT_LINKAGE).first()
    version = document.latest
    assert version.status == DocumentVersion.Status.READY, version.error
    with version.pdf.open("rb") as f:
        return document, f.read()


def blank_pdf() -> bytes:
    from documents import rendering

    return rendering.render_pdf("<p>一份与本系统无关的文件。</p>")


def upload(data: bytes, client=None):
    return (client or Client()).post("/verify/", {"file": io.BytesIO(data)})


def reveals(page: str, document) -> list[str]:
    """What of our document a page shows: its title, the household, the number."""
    household = document.household.head_name
    shown = [document.title, household, document.number, document.project.name]
    return [text for text in shown if text in page]


def test_a_forged_signature_named_after_one_of_ours_is_unknown_and_shows_nothing(
    linkage, tmp_path, monkeypatch
):
    document, _pdf = linkage
    real = Signature.objects.filter(edition__document=document).order_by("order").first()
    ours = pki.resolve_key_dir()
    forger = tmp_path / "forger-keys"
    pki.create_county_ca("某某县", key_dir=forger)
    pki.issue_org_key(real.organisation, real.organisation_code, key_dir=forger)
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(forger))
    pki.clear_caches()
    forged = signing.sign_pdf(
        blank_pdf(),
        org_code=real.organisation_code,
        field_name=f"sig-1-{real.pk}",  # the field name our producer gives that signature
        signer_name="伪造者",
        role="伪造",
        reason="伪造",
    )
    monkeypatch.setenv(pki.KEY_DIR_ENV, str(ours))
    pki.clear_caches()

    response = upload(forged)

    assert response.status_code == 200
    assert response.context["verdict"].status == "unknown"
    page = response.content.decode()
    assert 'data-status="unknown"' in page
    assert reveals(page, document) == []
    assert "伪造者" not in page and "signature-row" not in page  # not even the file's own claims


def test_our_file_with_a_changed_byte_is_altered_and_shows_only_number_and_kind(linkage):
    document, pdf = linkage
    changed = bytearray(pdf)
    position = pdf.index(b"/Type /Page") + 2
    changed[position] = ord("X")

    response = upload(bytes(changed))

    assert response.status_code == 200
    assert response.context["verdict"].status == "tampered"
    page = response.content.decode()
    assert reveals(page, document) == [document.number]
    assert "利益联结协议" in page  # the kind, which the paper itself says


def test_our_file_with_bytes_added_after_the_last_signature_is_altered(linkage):
    document, pdf = linkage
    response = upload(pdf + b"\n% added later\n")
    assert response.context["verdict"].status == "tampered"
    assert reveals(response.content.decode(), document) == [document.number]


def test_every_signature_of_a_produced_version_has_its_signed_bytes_stored(linkage):
    document, pdf = linkage
    stored = list(
        SignedRevision.objects.filter(version=document.latest).values_list("sha256", flat=True)
    )
    assert stored == signing.revision_digests(pdf) and len(stored) == 1
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in stored)


def test_the_number_page_wants_the_whole_check_code_and_gives_no_hints(linkage):
    document, _pdf = linkage
    full = document.edition.content_hash
    url = f"/verify/{document.number}/"
    client = Client()

    good = client.get(url, {"h": full.upper()})
    assert good.status_code == 200 and 'data-status="matched"' in good.content.decode()

    def answer(path, **params):
        response = client.get(path, params)
        body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
        return response.status_code, body

    wrong = [
        answer(url),
        answer(url, h=full[:1]),
        answer(url, h=full[:16]),
        answer(url, h=full[:63]),
        answer(url, h=full + "0"),
        answer(url, h=("0" if full[0] != "0" else "1") + full[1:]),
        answer(url, h="g" * 64),
        answer("/verify/ZJ-XX-2026-99999/", h=full),
    ]
    assert {status for status, _ in wrong} == {404}
    assert len({body for _, body in wrong}) == 1  # the very same page for each
    body = wrong[0][1]
    assert 'data-status="not-found"' in body and "没有与此编号和校验码相符的文件" in body
    assert reveals(body, document) == []


@pytest.mark.parametrize(
    "make",
    [
        hostile_pdfs.junk,
        hostile_pdfs.nested,
        lambda: hostile_pdfs.object_stream_bomb(gigabytes=1),
        hostile_pdfs.field_tree_bomb,
    ],
    ids=["junk-19MB", "nested", "object-stream-bomb", "field-tree-bomb"],
)
def test_a_file_made_to_hurt_the_reader_is_refused_in_seconds(db, settings, make):
    settings.QIYUE_PDF_PARSE_SECONDS = 2
    data = make()
    started = time.monotonic()
    response = upload(data)
    elapsed = time.monotonic() - started

    assert response.status_code == 422
    assert "无法读取此文件" in response.content.decode()
    assert elapsed < 15, elapsed


def test_a_file_above_the_upload_cap_is_refused_before_it_is_parsed(db, settings):
    settings.QIYUE_MAX_REQUEST_BYTES = 1024 * 1024
    response = upload(b"%PDF-1.7\n" + b"0" * (2 * 1024 * 1024))
    assert response.status_code == 413
