"""The red seal as officials know it: round, 42 mm, the organisation's name along the upper
arc, a star in the centre, the purpose below, pressed on the signer's line and the date.

Read back as a stranger would: the page rendered by poppler (pdftoppm) and its red pixels
measured; the seal's characters read from the PDF's text."""

import io
import re
import shutil
import subprocess

import pytest
from PIL import Image, ImageChops
from pypdf import PdfReader

from documents import preview, rendering
from documents.html import render_paper, strict
from documents.kinds import KINDS
from documents.models import DocumentKind
from documents.seal import seal_image, seal_svg

from .test_rendering import words_with_boxes

DPI = 300
PX_PER_MM = DPI / 25.4
PX_PER_PT = DPI / 72

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils missing (scripts/sysdeps.sh)"
)


def signed_paper(kind, organisation: str) -> bytes:
    """The sample paper of ``kind`` with one signed block sealed by ``organisation``."""
    meta = KINDS[kind]
    data = preview.sample(kind)
    block = {
        "label": "签章单位",
        "party": organisation,
        "credit_code": "",
        "sign_word": "",
        "signature": {"signer_name": "李华", "role": "局长", "date": "2026年10月20日"},
        "seal": seal_image(organisation, meta.seal_purpose),
    }
    html = render_paper(
        meta.template,
        data,
        title=meta.title.format_map(strict(data)),
        number="织乡振〔2026〕1号",
        kind_word=meta.kind_word,
        signature_blocks=[block],
        verify_url="https://example.org/verify/",
        qr_code="",
    )
    return rendering.render_pdf(html)


def last_page_image(pdf: bytes, tmp_path) -> Image.Image:
    path = tmp_path / "paper.pdf"
    path.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            str(pages),
            "-l",
            str(pages),
            "-r",
            str(DPI),
            "-png",
            path,
            tmp_path / "p",
        ],
        check=True,
    )
    (png,) = tmp_path.glob("p-*.png")
    return Image.open(png).convert("RGB")


def red_box(image: Image.Image) -> tuple[int, int, int, int]:
    """The bounding box (left, top, right, bottom) in pixels of the seal's red ink."""
    r, g, b = image.split()
    strong_red = r.point(lambda v: 255 if v > 180 else 0)
    little_green = g.point(lambda v: 255 if v < 110 else 0)
    little_blue = b.point(lambda v: 255 if v < 110 else 0)
    red = ImageChops.multiply(ImageChops.multiply(strong_red, little_green), little_blue)
    box = red.getbbox()
    assert box, "no red on the page"
    return box


@pytest.fixture(scope="module")
def approval_reply_pdf():
    return signed_paper(DocumentKind.APPROVAL_REPLY, "织金县乡村振兴局")


@pytest.fixture(scope="module")
def agreement_pdf():
    return signed_paper(DocumentKind.ENTRUSTMENT, "织金县珠藏镇乐丰生猪养殖专业合作社")


@needs_poppler
def test_the_seal_is_round_red_and_42_mm_across(approval_reply_pdf, tmp_path):
    left, top, right, bottom = red_box(last_page_image(approval_reply_pdf, tmp_path))
    width, height = (right - left) / PX_PER_MM, (bottom - top) / PX_PER_MM
    assert width == pytest.approx(42, abs=0.5) and height == pytest.approx(42, abs=0.5)


@needs_poppler
def test_the_seal_presses_on_the_signers_line_and_the_date(approval_reply_pdf, tmp_path):
    left, top, right, bottom = red_box(last_page_image(approval_reply_pdf, tmp_path))
    words = words_with_boxes(approval_reply_pdf, tmp_path)
    last_page = max(word[0] for word in words)
    lines = {text: box for page, *box, text in words if page == last_page}
    signer = next(box for text, box in lines.items() if text.startswith("局长"))
    date = next(box for text, box in lines.items() if text.startswith("日期"))
    centre_y = (top + bottom) / 2 / PX_PER_PT
    # Both lines inside the seal, its centre where they meet, the date under the red.
    assert top / PX_PER_PT < signer[1] and date[3] < bottom / PX_PER_PT
    assert signer[1] < centre_y < date[3]
    assert left / PX_PER_PT < date[2] and date[0] < right / PX_PER_PT


def test_the_seal_reads_its_name_along_the_arc_and_its_purpose_below(agreement_pdf):
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(agreement_pdf)).pages)
    # The arc's characters in reading order (a reader breaks the turned ones into lines of
    # its own choosing), then the purpose.
    assert "织金县珠藏镇乐丰生猪养殖专业合作社合同专用章" in text.replace("\n", "")


def test_an_official_seal_has_no_purpose_line(approval_reply_pdf):
    text = PdfReader(io.BytesIO(approval_reply_pdf)).pages[-1].extract_text()
    assert "织金县乡村振兴局" in text.replace("\n", "")
    assert "专用章" not in text


def test_a_long_name_shrinks_to_fit_the_arc_and_a_short_one_spreads():
    long_svg, short_svg = seal_svg("织金县珠藏镇乐丰生猪养殖专业合作社"), seal_svg("织金县财政局")
    angles = {
        svg: [float(a) for a in re.search(r'rotate="([^"]+)"', svg).group(1).split()]
        for svg in (long_svg, short_svg)
    }
    assert len(angles[long_svg]) == 17 and len(angles[short_svg]) == 6  # one a character
    assert 'font-size="6.5"' in short_svg and 'font-size="6.5"' not in long_svg
    assert angles[short_svg][0] == -75.0 and angles[short_svg][-1] == 75.0  # 150°, centred
    assert angles[long_svg][-1] - angles[long_svg][0] > 150
