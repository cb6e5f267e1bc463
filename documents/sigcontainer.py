"""A signature container exactly as :func:`documents.signing.sign_pdf` writes it, or not.

Split from documents/signing.py, which calls :func:`container_problem` for every signature
it verifies.
"""

import re

from asn1crypto import cms

_HEX_CONTENTS = re.compile(rb"<([0-9A-F]*)>")


def container_problem(pdf: bytes, sig, roots: list) -> str | None:
    """Pin down the signature container byte for byte; ``None`` if it is as we write it.

    A signature's ``/ByteRange`` covers everything but its own ``/Contents`` (a hex string
    holding the CMS container and zero padding), and parts of a CMS container are not
    signed (the algorithm lists, the certificate bag, the encoding itself). Earlier
    signatures' containers are covered by the later signatures, but the last one's would
    be malleable: a changed byte there could leave the signature valid. So every
    container must be exactly what :func:`documents.signing.sign_pdf` writes: upper-case hex, canonical
    DER, nothing optional, only the signer's certificate (bound by the signed
    signing-certificate-v2 attribute) or byte-identical copies of our trust roots, and
    zero padding.
    """
    try:
        start, first_len, second_start, _ = (int(x) for x in sig.sig_object["/ByteRange"])
        match = _HEX_CONTENTS.fullmatch(pdf[start + first_len : second_start])
        if match is None:
            return "the signature container is not in canonical form"
        data = bytes.fromhex(match.group(1).decode("ascii"))
        info = cms.ContentInfo.load(data)
        der = info.dump()
        if data[len(der) :].strip(b"\x00"):
            return "the signature container's padding was changed"
        if not _minimal_der(der):
            return "the signature container is not canonical DER"
        if info["content_type"].native != "signed_data":
            return "the signature container is not CMS signed data"
        signed = info["content"]
        signer_infos = signed["signer_infos"]
        if len(signer_infos) != 1:
            return "the signature container must hold exactly one signer"
        signer_info = signer_infos[0]
        digest_alg = signer_info["digest_algorithm"]
        encap = signed["encap_content_info"]
        cert = sig.signer_cert
        sid = signer_info["sid"]
        allowed = {cert.dump()} | {root.dump() for root in roots}
        checks = (
            signed["version"].native == "v1",
            [alg.dump() for alg in signed["digest_algorithms"]] == [digest_alg.dump()],
            encap["content_type"].native == "data" and not encap["content"],
            not signed["crls"],
            all(choice.chosen.dump() in allowed for choice in signed["certificates"] or ()),
            signer_info["version"].native == "v1",
            sid.name == "issuer_and_serial_number"
            and sid.chosen["issuer"].dump() == cert.issuer.dump()
            and sid.chosen["serial_number"].native == cert.serial_number,
            _canonical_algorithm(digest_alg),
            _canonical_algorithm(signer_info["signature_algorithm"]),
            _only_a_timestamp(signer_info["unsigned_attrs"]),
        )
    except Exception as exc:
        return f"the signature container is malformed: {exc}"
    if not all(checks):
        return "the signature container holds unexpected data"
    return None


def _minimal_der(data: bytes) -> bool:
    """Every length in the TLV tree is definite, minimal and exactly used up."""

    def walk(pos: int, end: int) -> bool:
        while pos < end:
            tag = data[pos]
            pos += 1
            if tag == 0:
                return False  # end-of-contents octets: not DER
            if tag & 0x1F == 0x1F:  # high tag number: base-128 continuation bytes
                while pos < end and data[pos] & 0x80:
                    pos += 1
                pos += 1
            if pos >= end:
                return False
            length = data[pos]
            pos += 1
            if length & 0x80:
                count = length & 0x7F
                if count == 0 or count > 4 or pos + count > end or data[pos] == 0:
                    return False  # indefinite, absurd or padded length
                length = int.from_bytes(data[pos : pos + count], "big")
                pos += count
                if length < 0x80:
                    return False  # long form where the short one would do
            if pos + length > end:
                return False
            if tag & 0x20 and not walk(pos, pos + length):
                return False
            pos += length
        return pos == end

    return walk(0, len(data))


def _canonical_algorithm(alg) -> bool:
    return alg.dump() == type(alg)({"algorithm": alg["algorithm"].native}).dump()


def _only_a_timestamp(unsigned) -> bool:
    """Nothing unsigned but, with QIYUE_TSA_URL, one RFC 3161 time-stamp token (itself
    signed by the time-stamping authority, over this signature's value)."""
    if not unsigned:
        return True
    return (
        len(unsigned) == 1
        and unsigned[0]["type"].native == "signature_time_stamp_token"
        and len(unsigned[0]["values"]) == 1
    )
