"""The translation catalogues: complete, placeholder-safe, compiled, and covering our sources.

zh_Hans is the source of truth for the UI wording (LANGUAGE_CODE = "zh-hans"); our msgids are
English. locale/update.sh regenerates the catalogues (see the comment at its top): our own
strings come from makemessages, viewflow's and django-filter's are merged in from
locale/zh_Hans/viewflow.po and locale/zh_Hans/django_filters.po.

The .po files are parsed by hand here (no polib dependency).
"""

import ast
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation.template import templatize
from django.views.i18n import JavaScriptCatalog

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
ZH_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"
EN_PO = LOCALE / "en" / "LC_MESSAGES" / "django.po"
ZH_JS_PO = LOCALE / "zh_Hans" / "LC_MESSAGES" / "djangojs.po"  # viewflow's bundled JS, by hand
THIRD_PARTY_POS = sorted((LOCALE / "zh_Hans").glob("*.po"))  # viewflow.po, django_filters.po
CHINESE_POS = [ZH_PO, ZH_JS_PO, *THIRD_PARTY_POS]
OUR_APPS = ("workflow", "processes", "permissions", "documents")


# --- A minimal .po reader ---------------------------------------------------------------


@dataclass
class Entry:
    msgid: str
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def key(self):
        return (self.msgctxt, self.msgid)

    def __str__(self):
        ctx = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"line {self.line}: {ctx}{self.msgid!r}"


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text)


def read_po(path: Path) -> tuple[Entry | None, list[Entry]]:
    """(header, entries) of a .po file; obsolete (#~) entries are ignored."""
    entries: list[Entry] = []
    flags: set[str] = set()
    current: Entry | None = None
    target = None  # (attribute, plural index) the next continuation line extends

    def finish():
        nonlocal current, flags
        if current is not None:
            entries.append(current)
        current, flags = None, set()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if line.startswith("#,"):
                flags |= {flag.strip() for flag in line[2:].split(",") if flag.strip()}
            continue
        match = re.fullmatch(r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"', line)
        if match:
            keyword, index, value = match.group(1), match.group(2), _unquote(match.group(3))
            if keyword in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()
            if current is None:
                current = Entry(msgid="", flags=flags, line=number)
            if keyword == "msgctxt":
                current.msgctxt, target = value, ("msgctxt", None)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", None)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", None)
            else:
                n = int(index) if index is not None else 0
                current.msgstr[n], target = value, ("msgstr", n)
            continue
        match = re.fullmatch(r'"(.*)"', line)
        assert match and current is not None and target, f"{path}:{number}: cannot parse {raw!r}"
        value = _unquote(match.group(1))
        attribute, n = target
        if attribute == "msgstr":
            current.msgstr[n] += value
        else:
            setattr(current, attribute, getattr(current, attribute) + value)
    finish()
    header = next((e for e in entries if e.msgid == "" and e.msgctxt is None), None)
    return header, [e for e in entries if e is not header]


def catalogue(path: Path = ZH_PO) -> dict:
    return {entry.key: entry for entry in read_po(path)[1]}


# --- (a) complete, no fuzzy -------------------------------------------------------------


@pytest.mark.parametrize("po", CHINESE_POS, ids=lambda p: str(p.relative_to(LOCALE)))
def test_every_msgid_is_translated_and_not_fuzzy(po):
    header, entries = read_po(po)
    assert header is not None, f"{po} has no header"
    assert "fuzzy" not in header.flags, f"{po}: the header is marked fuzzy (msgfmt would skip it)"
    assert "Plural-Forms: nplurals=1; plural=0;" in header.msgstr[0]
    assert entries, f"{po} is empty"
    untranslated = [
        str(e) for e in entries if not e.msgstr or not all(s.strip() for s in e.msgstr.values())
    ]
    fuzzy = [str(e) for e in entries if "fuzzy" in e.flags]
    assert not untranslated, f"{po}: untranslated msgids:\n" + "\n".join(untranslated)
    assert not fuzzy, f"{po}: fuzzy entries (review, then drop the flag):\n" + "\n".join(fuzzy)
    # zh has one plural form: every plural entry carries exactly msgstr[0].
    wrong_plurals = [str(e) for e in entries if e.msgid_plural is not None and set(e.msgstr) != {0}]
    assert not wrong_plurals, "plural entries need exactly msgstr[0] (nplurals=1):\n" + "\n".join(
        wrong_plurals
    )


@pytest.mark.parametrize("po", CHINESE_POS, ids=lambda p: str(p.relative_to(LOCALE)))
def test_no_duplicate_msgids(po):
    keys = Counter(entry.key for entry in read_po(po)[1])
    assert not [key for key, n in keys.items() if n > 1]


# --- (b) placeholders ---------------------------------------------------------------------

PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]")
BRACE = re.compile(r"\{[A-Za-z_][\w.]*\}")


def placeholders(text: str) -> Counter:
    return Counter(PRINTF.findall(text)) + Counter(BRACE.findall(text))


@pytest.mark.parametrize("po", CHINESE_POS, ids=lambda p: str(p.relative_to(LOCALE)))
def test_placeholders_match_the_msgid(po):
    problems = []
    for entry in read_po(po)[1]:
        # With one plural form, msgstr[0] is used for every n: it follows msgid_plural.
        source = entry.msgid_plural if entry.msgid_plural is not None else entry.msgid
        expected = placeholders(source)
        for n, text in entry.msgstr.items():
            got = placeholders(text)
            if got != expected:
                want = sorted(expected.elements())
                problems.append(f"{entry} msgstr[{n}] {text!r}: {sorted(got.elements())} != {want}")
    assert not problems, "placeholders differ from the msgid:\n" + "\n".join(problems)


# --- (c) the running translation ----------------------------------------------------------

KEY_STRINGS = {
    "Inbox": "待办",
    "Queue": "待签收",
    "Archive": "已办",
    "Assign": "签收",
    "Unassign": "取消签收",
    "Execute": "办理",
    "Send back": "退回",
    "Approve": "通过",
    "Township review": "乡镇审核",
    "Public notice": "公示",
    "Flow chart": "流程图",
    "Entrustment agreement": "委托协议",
    "Post-maintenance": "后续管护",
}


def test_default_language_is_simplified_chinese():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert translation.to_locale(settings.LANGUAGE_CODE) == "zh_Hans"
    for code, _name in settings.LANGUAGES:
        assert (LOCALE / translation.to_locale(code) / "LC_MESSAGES" / "django.mo").exists(), code


@pytest.mark.parametrize(("msgid", "chinese"), KEY_STRINGS.items())
def test_key_strings_in_chinese_and_english(msgid, chinese):
    with translation.override("zh-hans"):
        assert translation.gettext(msgid) == chinese
    with translation.override("en"):
        assert translation.gettext(msgid) == msgid


def test_viewflow_status_and_plural_strings():
    with translation.override("zh-hans"):
        assert translation.pgettext("STATUS", "Done") == "已完成"
        assert translation.pgettext("STATUS", "New") == "新建"
        assert (
            translation.gettext("Task {task} has been assigned.").format(task="#7")
            == "任务#7已签收。"
        )
        assert translation.gettext("Today") == "今天"  # django-filter's DateRangeFilter
    with translation.override("en"):
        assert translation.pgettext("STATUS", "Done") == "Done"


def test_javascript_catalogue_in_chinese():
    """/jsi18n/ serves viewflow's date-picker and selection strings in Chinese."""
    with translation.override("zh-hans"):
        response = JavaScriptCatalog.as_view()(RequestFactory().get("/jsi18n/"))
    content = response.content.decode()
    assert '"January": ' + json.dumps("一月") in content
    assert '"three letter Sunday\\u0004Sun": ' + json.dumps("周日") in content


def test_compiled_catalogue_matches_the_po():
    """Every entry of django.po comes out of the loaded .mo: the .mo is current."""
    stale = []
    with translation.override("zh-hans"):
        for entry in read_po(ZH_PO)[1]:
            if entry.msgid_plural is not None:
                if entry.msgctxt is not None:
                    got = translation.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, 2)
                else:
                    got = translation.ngettext(entry.msgid, entry.msgid_plural, 2)
            elif entry.msgctxt is not None:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
            else:
                got = translation.gettext(entry.msgid)
            if got != entry.msgstr[0]:
                stale.append(f"{entry}: {got!r} != {entry.msgstr[0]!r}")
    assert not stale, (
        "locale/zh_Hans/LC_MESSAGES/django.mo is out of date; run locale/update.sh "
        "(or manage.py compilemessages):\n" + "\n".join(stale[:30])
    )


def test_third_party_strings_are_merged():
    """viewflow.po and django_filters.po are in django.po (a bare makemessages drops them)."""
    ours = catalogue()
    missing = [
        f"{po.name} {entry}"
        for po in THIRD_PARTY_POS
        for entry in read_po(po)[1]
        if entry.key not in ours
    ]
    assert not missing, "run locale/update.sh; not merged into django.po:\n" + "\n".join(missing)


def test_english_catalogue_exists_and_covers_our_strings():
    _header, en = read_po(EN_PO)
    zh = catalogue()
    ours = {e.key for e in en}
    assert ours, "locale/en/LC_MESSAGES/django.po is empty"
    assert ours <= set(zh), sorted(ours - set(zh))[:20]


# --- (d) every literal in our sources is in the catalogue ---------------------------------

# Translation functions: (index of msgctxt, index of msgid, index of msgid_plural).
FUNCTIONS = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


def _translation_aliases(tree) -> tuple[dict[str, str], set[str]]:
    """Names bound to django.utils.translation functions, and names bound to the module."""
    functions, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in FUNCTIONS:
                    functions[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules |= {
                alias.asname or alias.name for alias in node.names if alias.name == "translation"
            }
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "django.utils.translation" and alias.asname:
                    modules.add(alias.asname)
    return functions, modules


def _literal_arg(call: ast.Call, index: int | None):
    """The string literal at ``index`` (adjacent literals already joined), None for no
    index, ``...`` when the argument is not a literal."""
    if index is None:
        return None
    if index < len(call.args):
        arg = call.args[index]
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            return arg.value
    return ...


def python_msgids(path: Path):
    """(msgctxt, msgid, where) for each translation call with literal arguments."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions, modules = _translation_aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in functions:
            name = functions[func.id]
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in FUNCTIONS
            and isinstance(func.value, ast.Name)
            and func.value.id in modules
        ):
            name = func.attr
        else:
            continue
        ctx_at, id_at, _plural_at = FUNCTIONS[name]
        msgctxt, msgid = _literal_arg(node, ctx_at), _literal_arg(node, id_at)
        if msgid is ... or msgctxt is ...:
            continue  # not a literal (f-string, variable, ...): skipped, as makemessages does
        yield msgctxt, msgid, f"{path.relative_to(ROOT)}:{node.lineno}"


_LITERAL = r"""u?(?:'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")"""
_TEMPLATE_CALL = re.compile(
    rf"(?<![\w.])(gettext_noop|gettext|pgettext|npgettext|ngettext|_)\(\s*({_LITERAL})"
    rf"(?:\s*,\s*({_LITERAL}))?"
)


def template_msgids(path: Path):
    """(msgctxt, msgid, where) from {% trans %}, {% blocktrans %} and _("...") in a template,
    extracted the way makemessages does it (Django's templatize)."""
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for match in _TEMPLATE_CALL.finditer(text):
        name, first, second = match.group(1), match.group(2), match.group(3)
        first = ast.literal_eval(first)
        second = ast.literal_eval(second) if second else None
        msgctxt, msgid = (first, second) if name in ("pgettext", "npgettext") else (None, first)
        line = text.count("\n", 0, match.start()) + 1
        yield msgctxt, msgid, f"{path.relative_to(ROOT)}:~{line}"


def our_sources():
    for app in OUR_APPS:
        for path in sorted((ROOT / app).rglob("*")):
            if path.suffix == ".py":
                yield "py", path
            elif path.suffix in (".html", ".txt") and "templates" in path.relative_to(ROOT).parts:
                yield "template", path


def test_every_literal_in_our_sources_is_translated():
    translated = {
        key for key, entry in catalogue().items() if all(s.strip() for s in entry.msgstr.values())
    }
    found, missing = 0, []
    for kind, path in our_sources():
        extract = python_msgids if kind == "py" else template_msgids
        for msgctxt, msgid, where in extract(path):
            found += 1
            if msgid and (msgctxt, msgid) not in translated:
                ctx = f"[{msgctxt}] " if msgctxt is not None else ""
                missing.append(f"{where}: {ctx}{msgid!r}")
    assert found > 100, (
        f"the source scan found only {found} strings; is it still looking in the right places?"
    )
    assert not missing, (
        "strings in our sources with no Chinese translation in "
        "locale/zh_Hans/LC_MESSAGES/django.po (run locale/update.sh, then translate):\n"
        + "\n".join(sorted(set(missing)))
    )


def test_the_source_scan_sees_python_and_templates():
    """Guard the scanner itself: known strings from both kinds of source are found."""
    py = {
        msgid
        for kind, path in our_sources()
        if kind == "py"
        for _c, msgid, _w in python_msgids(path)
    }
    html = {
        msgid
        for kind, path in our_sources()
        if kind == "template"
        for _c, msgid, _w in template_msgids(path)
    }
    assert {"Send back", "Township review", "Livelihood supervisor"} <= py
    assert {"Flow chart", "Five-ones responsibility chain"} <= html
