"""PDFs made to hurt a reader: junk behind a PDF header, deep nesting, a compressed object
stream that inflates to gigabytes, and a field tree whose paths double at every level."""

import os
import zlib


def junk(size: int = 19 * 1024 * 1024) -> bytes:
    return b"%PDF-1.7\n" + os.urandom(size - 9)


def _file(objects: list[bytes], trailer: bytes) -> bytes:
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def nested(depth: int = 200_000) -> bytes:
    deep = b"[" * depth + b"]" * depth
    return _file(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [] /Count 0 /X " + deep + b" >>",
        ],
        b"<< /Size 3 /Root 1 0 R /Deep " + deep + b" >>",
    )


def object_stream_bomb(gigabytes: int = 2) -> bytes:
    """The catalog sits in a Flate object stream whose data inflates to ``gigabytes``."""
    z = zlib.compressobj(9)
    first = b"1 0 "
    data = z.compress(first + b"<< /Type /Catalog /AcroForm << /Fields [] >> >> ")
    data += b"".join(z.compress(b" " * (1 << 20)) for _ in range(gigabytes * 1024)) + z.flush()
    out = bytearray(b"%PDF-1.7\n")
    stream_at = len(out)
    out += (
        b"2 0 obj\n<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (
            len(first),
            len(data),
        )
    )
    out += data + b"\nendstream\nendobj\n"
    xref_at = len(out)
    rows = (
        b"\x00\x00\x00\x00\x00\xff\xff"
        + b"\x02\x00\x00\x00\x02\x00\x00"
        + b"\x01"
        + stream_at.to_bytes(4, "big")
        + b"\x00\x00"
        + b"\x01"
        + xref_at.to_bytes(4, "big")
        + b"\x00\x00"
    )
    out += b"3 0 obj\n<< /Type /XRef /Size 4 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(
        rows
    )
    out += rows + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return bytes(out)


def field_tree_bomb(levels: int = 40) -> bytes:
    """3 KB: every field lists the next one twice, so walking the form visits 2**levels."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [3 0 R 3 0 R] >> >>",
        b"<< /Type /Pages /Kids [] /Count 0 >>",
    ]
    for level in range(levels):
        following = 4 + level
        objects.append(b"<< /T (f%d) /Kids [%d 0 R %d 0 R] >>" % (level, following, following))
    objects.append(b"<< /T (leaf) /FT /Sig >>")
    return _file(objects, b"<< /Size %d /Root 1 0 R >>" % (len(objects) + 1))
