"""PDF rendering: the prepared Chinese fonts, GB/T 9704 page, and failing loudly.

Every test reads the produced PDF back: its text with poppler's pdftotext (installed by
scripts/sysdeps.sh), its fonts and pages with pyHanko's reader. The first render of a fresh
VAR_DIR prepares the fonts (about a minute); later renders take a fraction of a second.
"""

import io
import re
import shutil
import subprocess
from concurrent.futures import Future

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.reader import PdfFileReader

from documents import fonts, rendering

RARE_NAMES = "王喆 李堃 张珺 刘犇 陈䶮"
MM = 72 / 25.4

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="pdftotext missing: scripts/sysdeps.sh installs poppler-utils",
)


def document(body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>协议</title></head>'
        f"<body>{body}</body></html>"
    )


AGREEMENT = document(
    '<p class="doc-number">珠扶协〔2026〕3号</p>'
    '<h1 class="doc-title">户级利益联结协议</h1>'
    "<h2>一、资金与分红</h2>"
    "<h3>（一）委托资金</h3>"
    "<p>甲方委托乙方经营财政衔接资金人民币壹万贰仟元整（¥12,000.00），"
    "期限自二〇二六年三月一日起——共五年。</p>"
    '<div class="signatures"><div class="signature-block">'
    '<p class="signature-party">甲方（盖章）：珠藏镇人民政府</p>'
    '<p class="signature-meta">日期：2026年3月1日</p></div></div>'
)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def words_with_boxes(pdf: bytes, tmp_path) -> list[tuple[int, float, float, float, float, str]]:
    """(page, xMin, yMin, xMax, yMax, word) for every word, in points from the top left."""
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    xhtml = subprocess.run(
        ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    words = []
    for page, chunk in enumerate(xhtml.split("<page ")[1:], start=1):
        for match in re.finditer(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
            chunk,
        ):
            x0, y0, x1, y1 = map(float, match.groups()[:4])
            words.append((page, x0, y0, x1, y1, match[5]))
    return words


def pdf_pages(pdf: bytes) -> list:
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    pages, stack = [], [reader.root["/Pages"]]
    while stack:
        node = stack.pop(0)
        if node.get("/Type") == "/Pages":
            stack[:0] = [kid.get_object() for kid in node["/Kids"]]
        else:
            pages.append(node)
    return pages


def pdf_fonts(pdf: bytes) -> dict:
    """BaseFont -> the font dictionary, for every font any page uses."""
    found = {}
    for page in pdf_pages(pdf):
        resources = page["/Resources"]
        for font in (resources["/Font"] if "/Font" in resources else {}).values():
            font = font.get_object()
            found[str(font["/BaseFont"]).lstrip("/")] = font
    return found


def to_unicode_map(font) -> dict[int, str]:
    cmap = font["/ToUnicode"].data.decode("latin-1")
    mapping = {}
    for section in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for glyph, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", section):
            mapping[int(glyph, 16)] = bytes.fromhex(text).decode("utf-16-be")
    return mapping


@pytest.fixture(scope="module")
def agreement_pdf():
    return rendering.render_pdf(AGREEMENT)


@pytest.fixture(scope="module")
def rare_pdf():
    return rendering.render_pdf(
        document(f"<h2>一、受益农户</h2><h3>（一）{RARE_NAMES}</h3><p>户主：{RARE_NAMES}。</p>")
    )


@needs_poppler
def test_chinese_text_and_amounts_are_extractable(agreement_pdf, tmp_path):
    text = squeeze(pdf_text(agreement_pdf, tmp_path))

    assert "户级利益联结协议" in text
    assert "一、资金与分红" in text
    assert "（一）委托资金" in text
    assert "人民币壹万贰仟元整（¥12,000.00）" in text
    assert "二〇二六年三月一日起——共五年" in text
    assert "甲方（盖章）：珠藏镇人民政府" in text


def test_every_font_is_embedded_as_a_subset(agreement_pdf):
    used = pdf_fonts(agreement_pdf)

    assert {name.split("+", 1)[1] for name in used} == {
        "Qiyue-Song",
        "Qiyue-Song-Bold",
        "Qiyue-Hei-Bold",
        "Qiyue-Kai",
    }
    for name, font in used.items():
        assert re.fullmatch(r"[A-Z]{6}\+Qiyue-\w+(-Bold)?", name), name
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, name


def test_headings_use_hei_and_kai_and_body_song(agreement_pdf):
    # Fonts by what they draw: the title in bold Song, 一、 headings in bold Hei, （一）
    # headings in Kai, the body in Song.
    drawn = {
        name.split("+", 1)[1]: "".join(to_unicode_map(font).values())
        for name, font in pdf_fonts(agreement_pdf).items()
    }

    assert set("户级利益联结协议") <= set(drawn["Qiyue-Song-Bold"])
    assert set("一、资金与分红") <= set(drawn["Qiyue-Hei-Bold"])
    assert set("（一）委托资金") <= set(drawn["Qiyue-Kai"])
    assert set("甲方壹万贰仟元整") <= set(drawn["Qiyue-Song"])
    assert not set("户级联结") & set(drawn["Qiyue-Song"])  # the title's own characters


@needs_poppler
def test_title_and_headings_are_set_in_a_real_bold_weight(agreement_pdf, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(agreement_pdf)
    listed = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True, text=True)
    rows = {
        line.split()[0].split("+", 1)[1]: line.split() for line in listed.stdout.splitlines()[2:]
    }
    for name in ("Qiyue-Song-Bold", "Qiyue-Hei-Bold"):
        assert rows[name][-5:-2] == ["yes", "yes", "yes"], rows[name]  # embedded, subset, ToUnicode
    # Drawn from bold outlines (Noto CJK SC Bold, weight 700), not a regular face made to look bold.
    for name, font in pdf_fonts(agreement_pdf).items():
        descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].data))
        bold = name.endswith("-Bold")
        assert (embedded["OS/2"].usWeightClass == 700) is bold, name
        assert bool(embedded["head"].macStyle & 1) is bold, name


@needs_poppler
def test_names_outside_gb2312_render_from_the_rare_font(rare_pdf, tmp_path):
    text = squeeze(pdf_text(rare_pdf, tmp_path))
    used = pdf_fonts(rare_pdf)

    for name in RARE_NAMES.split():
        assert text.count(name) == 2, name
    rare = [font for name, font in used.items() if name.endswith("+Qiyue-Rare")]
    assert rare, sorted(used)
    assert set("喆堃珺犇䶮") <= set(to_unicode_map(rare[0]).values())


def test_no_character_is_drawn_as_an_empty_box(rare_pdf, agreement_pdf):
    # Each glyph a ToUnicode map names exists in the embedded font and has an outline.
    for pdf in (rare_pdf, agreement_pdf):
        for name, font in pdf_fonts(pdf).items():
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            embedded = TTFont(io.BytesIO(descriptor["/FontFile2"].data))
            glyph_order = embedded.getGlyphOrder()
            glyf = embedded["glyf"]
            for glyph_id, char in to_unicode_map(font).items():
                if char.isspace():
                    continue
                assert 0 < glyph_id < len(glyph_order), (name, char, glyph_id)
                assert glyf[glyph_order[glyph_id]].numberOfContours != 0, (name, char)


@needs_poppler
def test_page_is_a4_with_gb_t_9704_margins(agreement_pdf, tmp_path):
    (page,) = pdf_pages(agreement_pdf)
    assert [round(float(v)) for v in page["/MediaBox"]] == [0, 0, 595, 842]

    words = words_with_boxes(agreement_pdf, tmp_path)
    page_number = [w for w in words if w[5] == "1"]
    body = [w for w in words if w not in page_number and w[5] not in {"—"}]
    assert page_number, "no page number"
    assert min(w[2] for w in body) >= 37 * MM  # top margin
    assert min(w[1] for w in body) >= 28 * MM - 0.5  # left
    assert max(w[3] for w in body) <= 595.28 - 26 * MM + 0.5  # right
    assert max(w[4] for w in body) <= 841.89 - 35 * MM  # bottom
    # "— 1 —" sits in the bottom margin, centred on the text block.
    assert page_number[0][2] > 841.89 - 35 * MM
    centre = (page_number[0][1] + page_number[0][3]) / 2
    assert abs(centre - (28 * MM + (595.28 - 26 * MM)) / 2) < 3


@needs_poppler
def test_batch_renders_every_document_in_order(tmp_path):
    htmls = [document(f"<p>第{n}号农户：{name}</p>") for n, name in enumerate(["王喆", "李四"], 1)]

    pdfs = list(rendering.render_pdf_batch(iter(htmls), workers=2, chunk_size=1, pool_from=2))

    assert [squeeze(pdf_text(pdf, tmp_path)) for pdf in pdfs] == [
        "第1号农户：王喆—1—",
        "第2号农户：李四—1—",
    ]


@needs_poppler
@pytest.mark.parametrize("workers", [1, 2])
def test_a_short_batch_is_rendered_here_without_starting_workers(workers, monkeypatch, tmp_path):
    def no_pool(*args, **kwargs):
        raise AssertionError("a worker pool was started for a short batch")

    monkeypatch.setattr(rendering, "ProcessPoolExecutor", no_pool)
    count = rendering.POOL_FROM - 1 if workers == 2 else rendering.POOL_FROM + 1
    htmls = (document(f"<p>第{n}号农户</p>") for n in range(1, count + 1))

    pdfs = list(rendering.render_pdf_batch(htmls, workers=workers))

    assert [squeeze(pdf_text(pdf, tmp_path)) for pdf in pdfs] == [
        f"第{n}号农户—1—" for n in range(1, count + 1)
    ]


def test_a_batch_of_pool_size_goes_to_the_workers(monkeypatch):
    started = []

    class Pool:
        def __init__(self, workers, **kwargs):
            started.append(workers)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def submit(self, render, chunk, base_url):
            done = Future()
            done.set_result([f"pdf of {html}".encode() for html in chunk])
            return done

    monkeypatch.setattr(rendering, "ProcessPoolExecutor", Pool)
    htmls = [f"<p>{n}</p>" for n in range(rendering.POOL_FROM)]

    pdfs = list(rendering.render_pdf_batch(iter(htmls), workers=2))

    assert started == [2]
    assert pdfs == [f"pdf of {html}".encode() for html in htmls]


def test_a_character_no_font_has_fails_instead_of_printing_a_box():
    with pytest.raises(rendering.UnsupportedCharacters) as error:
        rendering.render_pdf(document("<p>户主：王五😀</p>"))

    assert error.value.chars == "😀"
    assert "U+1F600" in str(error.value)


def test_characters_only_in_markup_do_not_count():
    covered = frozenset("<>/=\"' apbodyhtmlclass户主王五")
    html = '<p class="😀">户主王五</p><!-- 😀 -->'

    assert rendering.unsupported_characters(html, covered) == set()
    assert rendering.unsupported_characters("<p>王五😀</p>", covered) == {"😀"}


def test_fonts_missing_names_the_debian_packages(tmp_path):
    empty = tmp_path / "no-fonts"
    empty.mkdir()

    with pytest.raises(fonts.FontsMissing) as error:
        rendering.get_renderer(tmp_path / "cache", [empty])

    message = str(error.value)
    assert "apt-get install fonts-noto-cjk fonts-arphic-ukai" in message
    assert "未找到" in message and "No Chinese font found" in message
    assert error.value.packages == ("fonts-arphic-ukai", "fonts-noto-cjk")


def test_render_pdf_fails_when_no_font_is_installed_nor_prepared(settings, tmp_path):
    settings.QIYUE_FONT_DIRS = [tmp_path / "no-fonts"]
    settings.QIYUE_FONT_CACHE_DIR = tmp_path / "cache"

    with pytest.raises(fonts.FontsMissing, match="fonts-noto-cjk"):
        rendering.render_pdf(AGREEMENT)


def test_build_fonts_command_names_the_packages_when_fonts_are_missing(settings, tmp_path):
    settings.QIYUE_FONT_DIRS = [tmp_path / "no-fonts"]

    with pytest.raises(CommandError, match="apt-get install fonts-noto-cjk"):
        call_command("build_fonts", "--cache-dir", str(tmp_path / "cache"))


def test_build_fonts_if_missing_keeps_a_current_cache(agreement_pdf, capsys):
    manifest = fonts.default_cache_dir() / "manifest.json"
    before = manifest.stat().st_mtime_ns

    call_command("build_fonts", "--if-missing")

    assert manifest.stat().st_mtime_ns == before
    assert "PDF fonts ready" in capsys.readouterr().out


def test_prepared_charset_is_gb2312_and_what_documents_add():
    assert len(fonts.gb2312_chars()) == 7445
    assert set("¥—〇·…（）：；０１２") <= fonts.document_charset()
    assert not set("喆堃珺犇䶮") & fonts.document_charset()
