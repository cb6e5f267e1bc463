"""A paper's HTML: its template rendered, strictly, from the edition's snapshot, with the
signature blocks, the seals and the verification QR code.

Paper templates have their own engine: a variable a template names that the data lacks
raises :class:`MissingVariable` (in ``{{ }}``, ``{% if %}``/``{% elif %}`` with or without
``not``/``and``/``or``/comparisons, and ``{% for %}`` alike) where Django's default engine
would print a blank or take the branch as false. A value present as ``None`` is data, not a
gap: it is false in a condition and ``|default`` replaces it (templates rely on that for
optional fields such as a project's scale).
"""

import functools
from pathlib import Path

import segno
from django.conf import settings
from django.template import Context, Engine, Library, defaulttags

from .formats import cn_date
from .kinds import KINDS
from .models import Edition, Signature
from .rendering import DocumentRenderingError
from .seal import seal_image

TEMPLATES = Path(__file__).parent / "templates"


def verify_url(edition: Edition) -> str:
    """Where the QR code points: the document's number and the full hash of what it prints
    (the page matches the whole hash only: a prefix would be guessable)."""
    base = settings.QIYUE_PUBLIC_URL.rstrip("/")
    return f"{base}/verify/{edition.document.number}/?h={edition.content_hash}"


def qr_code(url: str) -> str:
    """The QR code of ``url`` as an image of four pixels per module, drawn unsmoothed
    (``image-rendering: pixelated``: the PDF says /Interpolate false) at 22 mm. As an inline
    SVG its path of some 6,000 segments took WeasyPrint 17 ms to draw, a seventh of a
    household agreement's render; the image costs nothing to draw and about 1 kB."""
    data_uri = segno.make(url, error="m").png_data_uri(scale=4, border=1)
    return f'<img class="qr" src="{data_uri}" alt="">'


def signature_blocks(edition: Edition, signatures: list[Signature]) -> list[dict]:
    snapshot = edition.snapshot
    purpose = KINDS[edition.document.kind].seal_purpose
    by_code = {s.organisation_code: s for s in signatures}
    blocks, used = [], set()
    for slot in KINDS[edition.document.kind].slots:
        party = snapshot.get(slot.party) or {}
        signature = by_code.get(party.get("code")) if slot.digital else None
        if signature:
            used.add(signature.pk)
        blocks.append(
            _block(
                slot.label,
                party.get("name", ""),
                party.get("credit_code", ""),
                signature,
                slot.sign_word,
                purpose,
            )
        )
    for signature in signatures:
        if signature.pk not in used:
            blocks.append(_block("签章单位", signature.organisation, "", signature, "", purpose))
    return blocks


def _block(label, party, credit_code, signature, sign_word, purpose) -> dict:
    return {
        "label": label,
        "party": party,
        "credit_code": credit_code,
        "sign_word": sign_word,
        "signature": {
            "signer_name": signature.signer_name,
            "role": signature.role,
            "date": cn_date(signature.signed_at),
        }
        if signature
        else None,
        "seal": seal_image(signature.organisation, purpose) if signature else "",
    }


def title_parts(title: str, keep: list[str]) -> list[str]:
    """The title in pieces a line may break between, never inside: each name in ``keep``
    (the project's) whole, the words around it whole, a bracketed household whole."""
    parts = [title]
    for name in filter(None, keep):
        cut = []
        for part in parts:
            while name in part and part != name:
                before, part = part.split(name, 1)
                cut += [p for p in (before, name) if p]
            if part:
                cut.append(part)
        parts = cut
    return [p for part in parts for p in _at_bracket(part)]


def _at_bracket(part: str) -> list[str]:
    if "（" in part and not part.startswith("（"):
        before, after = part.split("（", 1)
        return [before, "（" + after]
    return [part]


def render_html(edition: Edition, signatures: list[Signature]) -> str:
    document = edition.document
    url = verify_url(edition)
    return render_paper(
        edition.template,
        edition.snapshot,
        title=document.title,
        number=document.number,
        kind_word=KINDS[document.kind].kind_word,
        signature_blocks=signature_blocks(edition, signatures),
        verify_url=url,
        qr_code=qr_code(url),
        qr_codes=KINDS[document.kind].qr_codes,
    )


def render_paper(
    template: str,
    snapshot: dict,
    *,
    title,
    number,
    kind_word,
    signature_blocks,
    verify_url,
    qr_code,
    qr_codes=(),
) -> str:
    """The paper's HTML from its snapshot and what production adds (number, signatures, QR,
    and a QR code ``<key>_qr`` of each address in ``qr_codes``); a variable the template
    names that is not there raises :class:`MissingVariable`."""
    codes = {f"{key}_qr": _qr_of(snapshot, key) for key in qr_codes}
    context = {
        **codes,
        **snapshot,
        "title": title,
        "title_parts": title_parts(title, [(snapshot.get("project") or {}).get("name", "")]),
        "number": number,
        "template": template,
        "kind_word": kind_word,
        "signature_blocks": signature_blocks,
        "verify_url": verify_url,
        "qr_code": qr_code,
    }
    return _engine().get_template(f"documents/{template}.html").render(_StrictContext(context))


def _qr_of(snapshot: dict, key: str) -> str:
    if not snapshot.get(key):
        raise MissingVariable(key)
    return qr_code(snapshot[key])


# --- Strict rendering: a legal document never carries a blank where data was missing --------


class MissingVariable(DocumentRenderingError):
    """The template names a value the paper's data does not have."""

    def __init__(self, name):
        self.name = str(name)
        super().__init__(
            f"文档模板引用的数据缺失：{self.name}。 / The paper's data has no {self.name}."
        )


class _Refuse(str):
    """Django's ``string_if_invalid``, formatted with the missing variable's name: refuse."""

    def __mod__(self, variable):
        raise MissingVariable(variable)


class _StrictDict(dict):
    """A snapshot mapping whose missing key raises past Django's silent lookups, so a
    missing value stops ``{% if %}`` and ``{% for %}`` too, not only ``{{ }}``."""

    def __init__(self, items, path: str):
        super().__init__(items)
        self.path = path

    def __getitem__(self, key):
        try:
            return super().__getitem__(key)
        except KeyError:
            raise MissingVariable(f"{self.path}.{key}".lstrip(".")) from None


def _strict(value, path: str):
    if isinstance(value, dict):
        return _StrictDict(((k, _strict(v, f"{path}.{k}")) for k, v in value.items()), path)
    if isinstance(value, list | tuple):
        return [_strict(item, f"{path}.{i}") for i, item in enumerate(value)]
    return value


def strict(data: dict) -> dict:
    """``data`` with every mapping in it strict: a missing key raises :class:`MissingVariable`
    (also for ``str.format`` of a title)."""
    return _StrictDict(((key, _strict(value, key)) for key, value in data.items()), "")


class _StrictContext(Context):
    def __init__(self, data: dict):
        super().__init__(strict(data))

    def __getitem__(self, key):
        for layer in reversed(self.dicts):
            if key in layer:
                return layer[key]
        raise MissingVariable(key)


class _StrictIfNode(defaulttags.IfNode):
    """Django's ``{% if %}`` resolving every variable its ``if`` and ``elif`` conditions name
    before choosing a branch: Django's ``not``/``and``/``or``/``==``… take any error as
    false (and ``and``/``or``, like a later ``elif``, may never look at a variable), so a
    missing value would silently choose a branch."""

    def __init__(self, conditions_nodelists):
        super().__init__(conditions_nodelists)
        self.operands = [
            operand
            for condition, _nodelist in conditions_nodelists
            if condition is not None
            for operand in _operands(condition)
        ]

    def render(self, context):
        for operand in self.operands:
            operand.eval(context)  # a missing variable raises MissingVariable here
        return super().render(context)


def _operands(condition):
    if isinstance(condition, defaulttags.TemplateLiteral):
        yield condition
        return
    for operand in (condition.first, condition.second):
        if operand is not None:
            yield from _operands(operand)


register = Library()  # the papers' engine's own tags (a builtin of :func:`_engine`)


@register.tag("if")
def strict_if(parser, token):
    """``{% if %}`` for papers (:class:`_StrictIfNode`), parsed as Django parses it."""
    return _StrictIfNode(defaulttags.do_if(parser, token).conditions_nodelists)


@functools.cache
def _engine() -> Engine:
    """The papers' own template engine (the site's keeps Django's forgiving defaults)."""
    return Engine(dirs=[TEMPLATES], string_if_invalid=_Refuse("%s"), builtins=[__name__])
