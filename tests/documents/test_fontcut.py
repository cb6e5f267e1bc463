"""documents/fontcut.py: HarfBuzz's subsetter as the font build uses it, read back with fontTools."""

import io

import pytest
from fontTools.ttLib import TTFont

from documents import fontcut, fonts


@pytest.fixture(scope="module")
def kai():
    source = fonts.find_source_fonts(fonts.DEFAULT_SOURCE_DIRS)["kai"]  # TrueType, small
    return source, TTFont(str(source.path), fontNumber=source.index, lazy=True)


def test_a_subset_maps_exactly_the_asked_characters_and_keeps_every_unicode_name_record(kai):
    source, original = kai
    wanted = {ord(c) for c in "契约乡村A1"}
    data = fontcut.subset(
        source.path, source.index, wanted | {0x10FFFF - 2}, flags=fontcut.NOTDEF_OUTLINE
    )
    cut = TTFont(io.BytesIO(data))
    assert set(cut.getBestCmap()) == wanted  # the code point the font lacks is simply absent
    assert cut["maxp"].numGlyphs == len(wanted) + 1  # and .notdef
    # Copyright and licence stay, in every language; the legacy Macintosh records go (as fontTools'
    # subsetter did).
    names = {
        (r.nameID, r.platformID, r.langID) for r in original["name"].names if r.platformID != 1
    }
    assert {(r.nameID, r.platformID, r.langID) for r in cut["name"].names} == names
    glyph = cut["glyf"][cut.getBestCmap()[ord("契")]]
    assert glyph.numberOfContours > 0


def test_dropped_tables_and_features_are_left_out(kai):
    source, original = kai
    assert "GSUB" in original or "GPOS" in original or "gasp" in original
    present = [tag for tag in ("gasp", "GSUB", "GPOS") if tag in original]
    data = fontcut.subset(source.path, source.index, {ord("契")}, drop_tables=present)
    cut = TTFont(io.BytesIO(data))
    assert not [tag for tag in present if tag in cut]


def test_an_unreadable_font_is_a_clear_error(tmp_path):
    with pytest.raises(fontcut.SubsetFailed, match="cannot read"):
        fontcut.subset(tmp_path / "missing.ttf", 0, {0x41})
