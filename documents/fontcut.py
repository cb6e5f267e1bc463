"""Cutting a font down to a set of characters with HarfBuzz's subsetter (libharfbuzz-subset), and
turning CFF outlines into TrueType ones.

The subsetter is the same library WeasyPrint loads to subset the fonts of each PDF it writes (Debian's
``libharfbuzz-subset0``, in scripts/sysdeps.sh). Preparing the 25,000-glyph rare-character font
took fontTools' subsetter 17.6 s; HarfBuzz does it in a quarter of a second. The result keeps the
source's outlines (CFF stays CFF); :func:`cff_to_truetype` converts them afterwards.

Only the few calls needed here are declared (cffi's ABI mode, no compiler): HarfBuzz ≥ 2.8.2 for
``hb_blob_create_from_file_or_fail``, ≥ 4.1 for ``hb_set_add_sorted_array``.
"""

from functools import cache
from pathlib import Path

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
typedef uint32_t hb_codepoint_t;
typedef uint32_t hb_tag_t;

hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
hb_tag_t hb_tag_from_string (const char *str, int len);
void hb_set_add (hb_set_t *set, hb_codepoint_t codepoint);
void hb_set_add_sorted_array (hb_set_t *set, const hb_codepoint_t *sorted, unsigned int count);
void hb_set_clear (hb_set_t *set);
void hb_set_invert (hb_set_t *set);

hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""

# hb_subset_sets_t and hb_subset_flags_t (hb-subset.h)
_UNICODE, _DROP_TABLE_TAG, _NAME_ID, _NAME_LANG_ID, _LAYOUT_FEATURE_TAG = 1, 3, 4, 5, 6
NO_HINTING, DESUBROUTINIZE, NOTDEF_OUTLINE = 0x01, 0x04, 0x40

LIBRARY_NAMES = ("libharfbuzz-subset.so.0", "libharfbuzz-subset.0.dylib")


class SubsetFailed(RuntimeError):
    pass


@cache
def _library():
    """cffi's FFI and the loaded library (its dependency libharfbuzz answers the hb_face_* calls)."""
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    for name in LIBRARY_NAMES:
        try:
            return ffi, ffi.dlopen(name)
        except OSError:
            continue
    raise SubsetFailed(f"HarfBuzz's subsetter is not installed ({LIBRARY_NAMES[0]})")


def subset(
    path: Path,
    index: int,
    codepoints,
    *,
    features=(),
    drop_tables=(),
    flags: int = 0,
) -> bytes:
    """The face ``index`` of the font file ``path`` with only the glyphs of ``codepoints`` (and
    ``.notdef``), as font file bytes. Layout features are kept only for ``features`` (OpenType
    tags); every Unicode and Windows name record is kept (copyright, licence; the legacy
    Macintosh ones go, as with fontTools); ``drop_tables`` are left out besides
    HarfBuzz's default list."""
    ffi, hb = _library()
    blob = hb.hb_blob_create_from_file_or_fail(str(path).encode())
    if blob == ffi.NULL:
        raise SubsetFailed(f"cannot read {path}")
    face = hb.hb_face_create(blob, index)
    hb.hb_blob_destroy(blob)
    subset_input = hb.hb_subset_input_create_or_fail()
    result = None
    try:
        if subset_input == ffi.NULL:
            raise SubsetFailed("HarfBuzz could not allocate a subset plan")
        codes = sorted(set(codepoints))
        hb.hb_set_add_sorted_array(
            hb.hb_subset_input_set(subset_input, _UNICODE),
            ffi.new("hb_codepoint_t[]", codes),
            len(codes),
        )
        for set_type in (_NAME_ID, _NAME_LANG_ID):  # all of them
            names = hb.hb_subset_input_set(subset_input, set_type)
            hb.hb_set_clear(names)
            hb.hb_set_invert(names)
        kept_features = hb.hb_subset_input_set(subset_input, _LAYOUT_FEATURE_TAG)
        hb.hb_set_clear(kept_features)
        for tag in features:
            hb.hb_set_add(kept_features, hb.hb_tag_from_string(tag.encode(), -1))
        dropped = hb.hb_subset_input_set(subset_input, _DROP_TABLE_TAG)
        for tag in drop_tables:
            hb.hb_set_add(dropped, hb.hb_tag_from_string(tag.encode(), -1))
        hb.hb_subset_input_set_flags(subset_input, flags)
        result = hb.hb_subset_or_fail(face, subset_input)
        if result == ffi.NULL:
            raise SubsetFailed(f"HarfBuzz could not subset {path} (face {index})")
        data_blob = hb.hb_face_reference_blob(result)
        try:
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(data_blob, length)
            if data == ffi.NULL or not length[0]:
                raise SubsetFailed(f"HarfBuzz wrote an empty subset of {path}")
            return bytes(ffi.buffer(data, length[0]))
        finally:
            hb.hb_blob_destroy(data_blob)
    finally:
        if result is not None and result != ffi.NULL:
            hb.hb_face_destroy(result)
        if subset_input != ffi.NULL:
            hb.hb_subset_input_destroy(subset_input)
        hb.hb_face_destroy(face)


def cff_to_truetype(font) -> None:
    """Replace CFF outlines by quadratic TrueType ones (within 1/1000 em), as fontTools' otf2ttf."""
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    del font["CFF "]
    hmtx = font["hmtx"]
    for name, glyph in glyphs.items():
        glyph.recalcBounds(glyf)  # not glyf.compile(): saving compiles the glyphs anyway
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    for attribute in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attribute, 0)
    font["post"].formatType = 3.0  # no glyph names
    font.sfntVersion = "\x00\x01\x00\x00"
