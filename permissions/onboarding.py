"""Onboarding a county from one Excel workbook: its regions, officials and signing organisations.

A county office fills in the template (:func:`write_template`, Chinese headers): sheet 「区划」
(the region tree), 「人员」 (officials, one role each), 「单位」 (organisations that sign papers).
:func:`read_workbook` checks EVERY row and returns a :class:`Plan` listing every error with its
sheet, row and column; :func:`import_plan` applies a plan without errors in one transaction:
nothing is written when any row is wrong. Every change is an audited act (the grants through
``permissions.actions``), and re-importing the same sheet changes nothing: rows are matched by
region code, username and organisation, and only what differs is updated.

The sheet's headers and its fixed words (县/乡镇/村, 是/否, role names) are the format a county
fills in, so they are Chinese in the code, not translated. Roles are named as the Chinese UI
names them (村支两委, 乡镇扶贫工作站 …); their English names and codes are accepted too.

This module reaches up to ``processes`` (operators) and ``documents`` (the county CA and keys)
inside functions: onboarding is the one place that builds all three from one sheet.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ground import audit

from . import actions as grants
from .jurisdiction import operator_ids, roles_of
from .models import Region
from .roles import REGION_ROLES, Level, Role

REGIONS, PEOPLE, ORGS, INSTRUCTIONS = "区划", "人员", "单位", "说明"

# (field, header, required header) per sheet, in the template's column order.
COLUMNS = {
    REGIONS: [
        ("code", "区划代码"),
        ("name", "名称"),
        ("level", "层级"),
        ("parent", "上级区划代码"),
    ],
    PEOPLE: [
        ("username", "用户名"),
        ("full_name", "姓名"),
        ("phone", "手机号"),
        ("role", "角色"),
        ("region", "区划代码"),
        ("operator", "所属经营主体"),
        ("password", "初始密码"),
    ],
    ORGS: [
        ("name", "单位名称"),
        ("kind", "类别"),
        ("region", "区划代码"),
        ("credit_code", "统一社会信用代码"),
        ("representative", "法定代表人"),
        ("phone", "联系电话"),
        ("issue_key", "签发签章密钥"),
    ],
}
LEVELS = {"县": Level.COUNTY, "乡镇": Level.TOWNSHIP, "乡": Level.TOWNSHIP, "镇": Level.TOWNSHIP}
LEVELS |= {"村": Level.VILLAGE, **{level.value: level for level in Level}}
LEVEL_WORDS = {Level.COUNTY: "县", Level.TOWNSHIP: "乡镇", Level.VILLAGE: "村"}
EXPECTED_PARENT = {Level.COUNTY: None, Level.TOWNSHIP: Level.COUNTY, Level.VILLAGE: Level.TOWNSHIP}
OPERATOR_ROLE = "经营主体"  # acting for a cooperative or company of the 「单位」 sheet
YES, NO = {"是", "y", "yes", "true", "1", ""}, {"否", "n", "no", "false", "0"}
# 「单位」 kinds: the people's government or villagers' committee of a region, a county unit
# (processes.papers.parties.COUNTY_UNITS, by the role that signs for it), or an operator.
GOVERNMENT_KINDS = {"人民政府": (Level.COUNTY, Level.TOWNSHIP), "村民委员会": (Level.VILLAGE,)}
COUNTY_UNIT_KINDS = {
    "乡村振兴局": "county_poverty_office",
    "财政局": "county_finance_bureau",
    "扶贫开发领导小组": "county_leading_group",
    "纪律检查委员会": "county_discipline",
}
OPERATOR_KINDS = {"农民专业合作社": "cooperative", "企业": "enterprise", "种养大户": "large_grower"}
ORG_KINDS = [*GOVERNMENT_KINDS, *COUNTY_UNIT_KINDS, *OPERATOR_KINDS]

MAX_ROWS = 20000  # per sheet: a county has a few thousand officials at most
_REGION_CODE = re.compile(r"^[0-9]{1,20}$", re.ASCII)
# A mobile number, or a landline with its area code (0857-7612345), optionally an extension.
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$", re.ASCII)
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class ImportFailed(Exception):
    """Raised inside the import's transaction to roll it back (e.g. a key could not be issued)."""


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str  # the Excel column letter, "" when the error is about the whole sheet
    header: str
    message: str

    def __str__(self) -> str:
        if not self.sheet:
            return self.message
        if not self.row:
            return _("Sheet “%(sheet)s”: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        if not self.column:
            return _("Sheet “%(sheet)s”, row %(row)s: %(message)s") % {
                "sheet": self.sheet,
                "row": self.row,
                "message": self.message,
            }
        return _("Sheet “%(sheet)s”, row %(row)s, column %(column)s (%(header)s): %(message)s") % {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "message": self.message,
        }


@dataclass
class Row:
    sheet: str
    number: int
    values: dict
    letters: dict  # field -> column letter
    bad: set = field(default_factory=set)  # cells already reported (and blanked)

    def __getitem__(self, name) -> str:
        return self.values.get(name, "")


@dataclass
class RegionRow:
    row: Row
    code: str
    name: str
    level: str
    parent_code: str
    existing: Region | None = None


@dataclass
class OrgRow:
    row: Row
    kind: str
    region_code: str
    name: str
    credit_code: str
    representative: str
    phone: str
    issue_key: bool
    existing_operator: object = None


@dataclass
class PersonRow:
    row: Row
    username: str
    full_name: str
    phone: str
    role: Role | None  # None: acts for an operator
    region_code: str
    operator_name: str
    password: str
    existing: object = None


@dataclass
class Plan:
    regions: list[RegionRow] = field(default_factory=list)
    orgs: list[OrgRow] = field(default_factory=list)
    people: list[PersonRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    digest: str = ""
    # region code -> (name, parent code), from the sheet and the database
    tree: dict[str, tuple[str, str]] = field(default_factory=dict)

    def full_names(self, code: str) -> list[str]:
        names = []
        while code in self.tree:
            name, code = self.tree[code]
            names.insert(0, name)
        return names

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: Row, name: str | None, message: str) -> None:
        header = dict(COLUMNS[row.sheet]).get(name, "") if name else ""
        letter = row.letters.get(name, "") if name else ""
        self.errors.append(RowError(row.sheet, row.number, letter, header, str(message)))

    def counts(self) -> dict:
        return {
            "regions": len(self.regions),
            "regions_new": sum(r.existing is None for r in self.regions),
            "people": len(self.people),
            "people_new": sum(p.existing is None for p in self.people),
            "organisations": len(self.orgs),
        }


@dataclass
class Outcome:
    created: dict = field(default_factory=lambda: {"regions": 0, "users": 0, "operators": 0})
    updated: dict = field(default_factory=lambda: {"regions": 0, "users": 0, "operators": 0})
    grants: int = 0
    revokes: int = 0
    keys_issued: list[str] = field(default_factory=list)
    ca_created: bool = False
    ca_note: str = ""
    passwords: list[tuple[str, str, str]] = field(default_factory=list)  # username, name, password
    timings: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- the template

INSTRUCTION_LINES = [
    "县级区划、人员与签章单位导入表（契约）",
    "",
    "填写说明：",
    "1. 「区划」表：每行一个区划。区划代码填统计用区划代码（只填数字，县 6 位、乡镇 9 位、村 12 位）；"
    "层级填 县、乡镇 或 村；乡镇的上级填县的代码，村的上级填乡镇的代码，县的上级留空。",
    "2. 「人员」表：每行一名人员、一个角色。用户名用于登录（字母、数字和 @ . + - _），不能重复；"
    "手机号填 11 位手机号或带区号的固定电话（可空）；角色填下列名称之一，区划代码填该角色所在的区划："
    "县级角色填县，乡镇角色填乡镇，村级角色填村。",
    "   角色：{roles}。",
    "   经营主体（合作社、企业）的人员：角色填「经营主体」，「所属经营主体」填「单位」表中的单位名称，区划代码可空。",
    "3. 初始密码：留空则由系统生成，导入后只显示一次，请当场抄送本人；填写的密码须符合密码规则"
    "（至少 10 位，不能过于常见，不能与用户名、姓名相似）。已有账户再次导入时不改密码。",
    "4. 「单位」表：需要在文书上签章的单位。类别填 " + "、".join(ORG_KINDS) + "。",
    "   人民政府、村民委员会和县直部门的单位名称可空（按区划自动生成，如 织金县珠藏镇人民政府）；"
    "合作社、企业、种养大户须填单位名称、所在乡镇的区划代码、统一社会信用代码和法定代表人。",
    "   签发签章密钥填 是 或 否（空为 是）：为该单位签发签章密钥；县级数字证书认证中心不存在时一并创建。",
    "5. 先校验后导入：任何一行有错，整张表都不导入，并列出每个错误所在的表、行和列。"
    "同一张表可重复导入：已有的区划、人员、单位不会重复创建，改动的行会更新并记入审计日志。",
    "6. 各表第 2、3 行为示例，导入前请替换为本县的数据。",
]

EXAMPLES = {
    REGIONS: [
        ["520524", "织金县", "县", ""],
        ["520524101", "珠藏镇", "乡镇", "520524"],
    ],
    PEOPLE: [
        ["zj_poverty_office", "张珺", "13800000001", "县扶贫办", "520524", "", ""],
        ["zhuzang_station", "马丽", "0857-7612345", "乡镇扶贫工作站", "520524101", "", ""],
    ],
    ORGS: [
        ["", "人民政府", "520524101", "", "", "", "是"],
        [
            "织金县珠藏镇乐丰生猪养殖专业合作社",
            "农民专业合作社",
            "520524101",
            "93520524MA6D0001XE",
            "陈德彬",
            "0857-7600001",
            "是",
        ],
    ],
}


def role_names() -> dict[str, Role | None]:
    """Every accepted spelling of a role: its Chinese UI name, English name and code."""
    names: dict[str, Role | None] = {OPERATOR_ROLE: None, "operator": None, "Operator": None}
    for role in REGION_ROLES:
        names[role.code] = role
        with translation.override("en"):
            names[str(role.label)] = role
        with translation.override("zh-hans"):
            names[str(role.label)] = role
    return names


def chinese_role_names() -> list[str]:
    with translation.override("zh-hans"):
        return [str(role.label) for role in REGION_ROLES] + [OPERATOR_ROLE]


def write_template(target=None) -> bytes | None:
    """The blank workbook with its instructions and two example rows per sheet. Writes to
    ``target`` (a path or a binary file) or returns the bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    notes = book.active
    notes.title = INSTRUCTIONS
    roles = "、".join(chinese_role_names())
    for i, line in enumerate(INSTRUCTION_LINES, start=1):
        notes.cell(i, 1, line.replace("{roles}", roles)).alignment = Alignment(wrap_text=True)
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 120
    choices = {
        (REGIONS, "level"): ["县", "乡镇", "村"],
        (PEOPLE, "role"): chinese_role_names(),
        (ORGS, "kind"): ORG_KINDS,
        (ORGS, "issue_key"): ["是", "否"],
    }
    for title, columns in COLUMNS.items():
        sheet = book.create_sheet(title)
        for col, (name, header) in enumerate(columns, start=1):
            cell = sheet.cell(1, col, header)
            cell.font = Font(bold=True)
            letter = cell.column_letter
            sheet.column_dimensions[letter].width = max(14, 3 * len(header) + 4)
            for r in range(2, 1002):  # codes and phones stay text: Excel keeps leading zeros
                sheet.cell(r, col).number_format = "@"
            if (title, name) in choices:
                rule = DataValidation(
                    type="list", formula1='"' + ",".join(choices[title, name]) + '"'
                )
                rule.add(f"{letter}2:{letter}1001")
                sheet.add_data_validation(rule)
        for r, example in enumerate(EXAMPLES[title], start=2):
            for col, value in enumerate(example, start=1):
                sheet.cell(r, col, value)
        sheet.freeze_panes = "A2"
    if target is None:
        buffer = io.BytesIO()
        book.save(buffer)
        return buffer.getvalue()
    book.save(target)
    return None


# ---------------------------------------------------------------------------- reading


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _bad_character(text: str) -> str | None:
    for char in text:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES:
            return f"U+{ord(char):04X}"
    return None


def _rows(plan: Plan, book, title: str) -> list[Row]:
    if title not in book.sheetnames:
        return []
    sheet = book[title]
    rows = sheet.iter_rows(values_only=True)
    header = [_text(v) for v in next(rows, [])]
    from openpyxl.utils import get_column_letter

    positions = {}
    for name, label in COLUMNS[title]:
        if label in header:
            positions[name] = header.index(label)
        else:
            plan.errors.append(
                RowError(
                    title,
                    1,
                    "",
                    label,
                    _("the column “%(header)s” is missing.") % {"header": label},
                )
            )
    if len(positions) < len(COLUMNS[title]):
        return []
    letters = {name: get_column_letter(i + 1) for name, i in positions.items()}
    result = []
    for number, values in enumerate(rows, start=2):
        if number > MAX_ROWS + 1:
            plan.errors.append(
                RowError(title, 0, "", "", _("more than %(n)s rows.") % {"n": MAX_ROWS})
            )
            break
        values = tuple(values) + (None,) * max(0, len(header) - len(values))
        cells = {name: _text(values[i]) for name, i in positions.items()}
        if not any(cells.values()):
            continue
        row = Row(title, number, cells, letters)
        for name, text in cells.items():
            bad = _bad_character(text)
            if bad:
                plan.error(
                    row,
                    name,
                    _("contains an invisible or control character (%(char)s); retype the cell.")
                    % {"char": bad},
                )
                cells[name] = ""
                row.bad.add(name)
        result.append(row)
    return result


def _required(plan: Plan, row: Row, *names) -> bool:
    missing = [name for name in names if not row[name] and name not in row.bad]
    for name in missing:
        plan.error(row, name, _("this cell must be filled in."))
    return not missing


def _too_long(plan: Plan, row: Row, name: str, limit: int) -> bool:
    if len(row[name]) > limit:
        plan.error(row, name, _("at most %(n)s characters.") % {"n": limit})
        return True
    return False


def read_workbook(file) -> Plan:
    """Read and check every row of the workbook (a path or a binary file). Nothing is written."""
    from openpyxl import load_workbook

    plan = Plan()
    try:
        data = file.read() if hasattr(file, "read") else open(file, "rb").read()  # noqa: SIM115
        plan.digest = hashlib.sha256(data).hexdigest()
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        plan.errors.append(RowError("", 0, "", "", _("The file is not an Excel workbook (.xlsx).")))
        return plan
    if not any(title in book.sheetnames for title in COLUMNS):
        plan.errors.append(
            RowError(
                "",
                0,
                "",
                "",
                _("The workbook has none of the sheets %(sheets)s.")
                % {"sheets": "、".join(f"「{t}」" for t in COLUMNS)},
            )
        )
        return plan
    region_rows = _rows(plan, book, REGIONS)
    org_rows = _rows(plan, book, ORGS)
    person_rows = _rows(plan, book, PEOPLE)
    book.close()
    levels = _check_regions(plan, region_rows)
    _check_orgs(plan, org_rows, levels)
    _check_people(plan, person_rows, levels)
    order = {title: i for i, title in enumerate(COLUMNS)}
    plan.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row, len(e.column), e.column))
    return plan


def _check_regions(plan: Plan, rows: list[Row]) -> dict[str, str]:
    """Check 「区划」; return the level of every known region code (sheet and database)."""
    in_db = {r.code: r for r in Region.objects.exclude(code="").select_related("parent")}
    levels = {code: r.level for code, r in in_db.items()}
    plan.tree = {code: (r.name, r.parent.code if r.parent_id else "") for code, r in in_db.items()}
    seen: dict[str, int] = {}
    names: dict[tuple[str, str], int] = {}
    checked = []
    for row in rows:
        ok = _required(plan, row, "code", "name", "level")
        code, name = row["code"], row["name"]
        if code and not _REGION_CODE.match(code):
            plan.error(row, "code", _("a region code is 1 to 20 digits (0-9)."))
            ok = False
        elif code in seen:
            plan.error(
                row,
                "code",
                _("the code %(code)s is also on row %(row)s.") % {"code": code, "row": seen[code]},
            )
            ok = False
        elif code:
            seen[code] = row.number
        ok = not _too_long(plan, row, "name", 100) and ok
        level = LEVELS.get(row["level"])
        if row["level"] and level is None:
            plan.error(row, "level", _("the level must be 县, 乡镇 or 村."))
            ok = False
        if ok:
            levels[code] = level
            checked.append((row, code, name, level))
    for row, code, name, level in checked:
        parent_code = row["parent"]
        expected = EXPECTED_PARENT[level]
        if expected is None:
            if parent_code:
                plan.error(row, "parent", _("a county has no parent region; leave it empty."))
                continue
        elif not parent_code:
            plan.error(row, "parent", _("this cell must be filled in."))
            continue
        elif parent_code not in levels:
            plan.error(
                row,
                "parent",
                _("no region has the code %(code)s (neither in this sheet nor already imported).")
                % {"code": parent_code},
            )
            continue
        elif levels[parent_code] != expected:
            plan.error(
                row,
                "parent",
                _("a %(level)s must sit directly under a %(parent)s; %(code)s is a %(actual)s.")
                % {
                    "level": LEVEL_WORDS[level],
                    "parent": LEVEL_WORDS[expected],
                    "code": parent_code,
                    "actual": LEVEL_WORDS[Level(levels[parent_code])],
                },
            )
            continue
        key = (parent_code, name)
        if key in names:
            plan.error(
                row,
                "name",
                _("“%(name)s” appears twice under the same parent (also row %(row)s).")
                % {"name": name, "row": names[key]},
            )
            continue
        names[key] = row.number
        existing = in_db.get(code)
        if existing is None and parent_code in in_db:
            # A region created before it had a code (e.g. by hand) is adopted by name.
            existing = Region.objects.filter(parent=in_db[parent_code], name=name).first()
            if existing is not None and existing.code:
                plan.error(
                    row,
                    "code",
                    _("“%(name)s” already exists with the code %(code)s.")
                    % {"name": name, "code": existing.code},
                )
                continue
        if existing is not None:
            old_parent = existing.parent.code if existing.parent_id else ""
            if existing.level != level or old_parent != parent_code:
                plan.error(
                    row,
                    "parent",
                    _(
                        "the region %(code)s already exists as %(level)s under %(parent)s; "
                        "regions cannot be moved."
                    )
                    % {
                        "code": code,
                        "level": LEVEL_WORDS[Level(existing.level)],
                        "parent": old_parent or "—",
                    },
                )
                continue
        if existing is not None and existing.name != name:
            clash = Region.objects.filter(parent_id=existing.parent_id, name=name).first()
            if clash is not None:
                plan.error(
                    row,
                    "name",
                    _("“%(name)s” already exists with the code %(code)s.")
                    % {"name": name, "code": clash.code or "—"},
                )
                continue
        plan.tree[code] = (name, parent_code)
        plan.regions.append(RegionRow(row, code, name, level, parent_code, existing))
    return levels


def _yes_no(plan: Plan, row: Row, name: str) -> bool:
    value = row[name].lower()
    if value in YES:
        return True
    if value in NO:
        return False
    plan.error(row, name, _("write 是 or 否."))
    return False


def _check_phone(plan: Plan, row: Row, name: str) -> None:
    if row[name] and not _PHONE.match(row[name]):
        plan.error(
            row,
            name,
            _(
                "“%(value)s” is not a phone number: write an 11-digit mobile number or a "
                "landline with its area code, e.g. 0857-7612345."
            )
            % {"value": row[name]},
        )


def _check_orgs(plan: Plan, rows: list[Row], levels: dict[str, str]) -> None:
    from processes.models import Operator
    from processes.validators import validate_uscc

    seen: dict[tuple, int] = {}
    for row in rows:
        errors_before = len(plan.errors)
        _required(plan, row, "kind", "region")
        kind, code = row["kind"], row["region"]
        if kind and kind not in ORG_KINDS:
            plan.error(
                row,
                "kind",
                _("the kind must be one of %(kinds)s.") % {"kinds": "、".join(ORG_KINDS)},
            )
        level = levels.get(code)
        if code and level is None:
            plan.error(
                row,
                "region",
                _("no region has the code %(code)s (neither in this sheet nor already imported).")
                % {"code": code},
            )
        wanted = (
            GOVERNMENT_KINDS.get(kind)
            or ((Level.COUNTY,) if kind in COUNTY_UNIT_KINDS else None)
            or ((Level.TOWNSHIP,) if kind in OPERATOR_KINDS else ())
        )
        if level and wanted and level not in wanted:
            plan.error(
                row,
                "region",
                _("a %(kind)s belongs to a %(levels)s; %(code)s is a %(level)s.")
                % {
                    "kind": kind,
                    "levels": "或".join(LEVEL_WORDS[w] for w in wanted),
                    "code": code,
                    "level": LEVEL_WORDS[Level(level)],
                },
            )
        credit = row["credit_code"].upper()
        if credit:
            try:
                validate_uscc(credit)
            except ValidationError as exc:
                plan.error(row, "credit_code", exc.messages[0])
        _check_phone(plan, row, "phone")
        _too_long(plan, row, "name", 200)
        _too_long(plan, row, "representative", 50)
        issue = _yes_no(plan, row, "issue_key")
        existing = None
        if kind in OPERATOR_KINDS:
            _required(plan, row, "name", "credit_code", "representative")
            key = ("operator", row["name"])
            clash = ("credit", credit)
            if credit and clash in seen:
                plan.error(
                    row,
                    "credit_code",
                    _("the same code is also on row %(row)s.") % {"row": seen[clash]},
                )
            seen.setdefault(clash, row.number)
            existing = (
                Operator.objects.filter(credit_code=credit).first() if credit else None
            ) or Operator.objects.filter(name=row["name"]).first()
            if existing and row["name"] and existing.name != row["name"]:
                other = Operator.objects.filter(name=row["name"]).exclude(pk=existing.pk).first()
                if other:
                    plan.error(
                        row,
                        "name",
                        _("another operator is already called “%(name)s”.") % {"name": row["name"]},
                    )
        else:
            key = (kind, code)
            paper_name = _paper_name(plan, kind, code, level)
            if row["name"] and paper_name and row["name"] != paper_name:
                plan.error(
                    row,
                    "name",
                    _(
                        "this organisation is named “%(name)s” on its papers; leave the cell "
                        "empty or write that name."
                    )
                    % {"name": paper_name},
                )
        if key in seen:
            plan.error(
                row,
                "name" if kind in OPERATOR_KINDS else "kind",
                _("the same organisation is also on row %(row)s.") % {"row": seen[key]},
            )
        seen.setdefault(key, row.number)
        if len(plan.errors) == errors_before:
            plan.orgs.append(
                OrgRow(
                    row,
                    kind,
                    code,
                    row["name"],
                    credit,
                    row["representative"],
                    row["phone"],
                    issue,
                    existing,
                )
            )


def _paper_name(plan: Plan, kind: str, code: str, level) -> str:
    """The name papers give a region's government or county unit (processes.papers.parties)."""
    names = plan.full_names(code)
    if not names or level is None:
        return ""
    if kind == "人民政府":
        return "".join(names) + "人民政府"
    if kind == "村民委员会":
        return "".join(names) + "村民委员会"
    if kind in COUNTY_UNIT_KINDS:
        return names[0] + kind
    return ""


def _check_people(plan: Plan, rows: list[Row], levels: dict[str, str]) -> None:
    from processes.models import Operator

    User = get_user_model()
    names = role_names()
    usernames = [row["username"] for row in rows if row["username"]]
    existing_users = {u.username: u for u in User.objects.filter(username__in=usernames)}
    operators = {o.name for o in plan.orgs if o.kind in OPERATOR_KINDS}
    operators |= set(
        Operator.objects.filter(
            name__in=[row["operator"] for row in rows if row["operator"]]
        ).values_list("name", flat=True)
    )
    seen: dict[str, int] = {}
    for row in rows:
        errors_before = len(plan.errors)
        _required(plan, row, "username", "full_name", "role")
        username = row["username"]
        if username:
            try:
                User.username_validator(username)
                if len(username) > 150:
                    raise ValidationError(_("at most %(n)s characters.") % {"n": 150})
            except ValidationError as exc:
                plan.error(row, "username", exc.messages[0])
            if username in seen:
                plan.error(
                    row,
                    "username",
                    _("the username %(name)s is also on row %(row)s.")
                    % {"name": username, "row": seen[username]},
                )
            seen.setdefault(username, row.number)
        _too_long(plan, row, "full_name", 50)
        _check_phone(plan, row, "phone")
        role_text, code = row["role"], row["region"]
        role = names.get(role_text, "unknown")
        if role_text and role == "unknown":
            plan.error(
                row,
                "role",
                _("unknown role “%(role)s”; use one of %(roles)s.")
                % {"role": role_text, "roles": "、".join(chinese_role_names())},
            )
        elif role is None:  # acts for an operator
            if not row["operator"]:
                plan.error(row, "operator", _("name the operator this person acts for."))
            elif row["operator"] not in operators:
                plan.error(
                    row,
                    "operator",
                    _("no operator “%(name)s” in the sheet “单位” or already imported.")
                    % {"name": row["operator"]},
                )
        elif role_text:
            if not code:
                plan.error(row, "region", _("this cell must be filled in."))
            elif code not in levels:
                plan.error(
                    row,
                    "region",
                    _(
                        "no region has the code %(code)s (neither in this sheet nor already imported)."
                    )
                    % {"code": code},
                )
            elif levels[code] != role.level:
                plan.error(
                    row,
                    "region",
                    _("the role “%(role)s” is held at a %(level)s; %(code)s is a %(actual)s.")
                    % {
                        "role": role_text,
                        "level": LEVEL_WORDS[Level(role.level)],
                        "code": code,
                        "actual": LEVEL_WORDS[Level(levels[code])],
                    },
                )
        existing = existing_users.get(username)
        if row["password"] and existing is None:
            try:
                validate_password(
                    row["password"], User(username=username, full_name=row["full_name"])
                )
            except ValidationError as exc:
                plan.error(row, "password", " ".join(exc.messages))
        if len(plan.errors) == errors_before:
            plan.people.append(
                PersonRow(
                    row,
                    username,
                    row["full_name"],
                    row["phone"],
                    role,
                    code,
                    row["operator"],
                    row["password"],
                    existing,
                )
            )


# ---------------------------------------------------------------------------- importing


def generate_password() -> str:
    """Twelve characters from an alphabet without look-alikes (0/O, 1/l/I)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _i in range(12))


def import_plan(actor, plan: Plan, *, key_dir=None) -> Outcome:
    """Apply a plan without errors, in one transaction; raises :class:`ImportFailed` (and
    writes nothing) when an organisation's key cannot be issued."""
    if not plan.ok:
        raise ImportFailed(_("The sheet has errors; nothing was imported."))
    outcome = Outcome()
    # Argon2 takes ~0.3 s of CPU per password: hash before the transaction, so the database
    # is held only for the writes (~10 s for 600 officials, not minutes).
    started = time.perf_counter()
    passwords = {
        p.username: p.password or generate_password() for p in plan.people if p.existing is None
    }
    hashed = {username: make_password(password) for username, password in passwords.items()}
    outcome.timings["hashing_s"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    try:
        _write(actor, plan, outcome, hashed, passwords, key_dir)
    except IntegrityError as exc:  # e.g. a renamed region clashes with a sibling's name
        raise ImportFailed(_("The database refused a row (%(error)s).") % {"error": exc}) from exc
    outcome.timings["writing_s"] = round(time.perf_counter() - started, 2)
    return outcome


def _write(actor, plan: Plan, outcome: Outcome, hashed, passwords, key_dir) -> None:
    with transaction.atomic():
        regions = _import_regions(actor, plan, outcome)
        operators = _import_orgs(actor, plan, outcome, regions)
        _import_people(actor, plan, outcome, regions, operators, hashed)
        _issue_keys(actor, plan, outcome, regions, operators, key_dir)
        outcome.passwords = [
            (p.username, p.full_name, passwords[p.username])
            for p in plan.people
            if p.existing is None and not p.password
        ]
        codes = [r.code for r in plan.regions] + [p.region_code for p in plan.people]
        codes = [code for code in codes + [o.region_code for o in plan.orgs] if code]
        county = regions[codes[0]].county if codes else None
        if county is not None:
            audit.record(
                actor,
                "county.import",
                county.county,
                after={
                    "sha256": plan.digest,
                    "created": outcome.created,
                    "updated": outcome.updated,
                    "grants": outcome.grants,
                    "revokes": outcome.revokes,
                    "keys": outcome.keys_issued,
                },
            )


def _region_fields(region: Region) -> dict:
    return {"name": region.name, "code": region.code, "credit_code": region.credit_code}


def _import_regions(actor, plan: Plan, outcome: Outcome) -> dict[str, Region]:
    by_code = {r.code: r for r in Region.objects.exclude(code="")}
    order = {Level.COUNTY: 0, Level.TOWNSHIP: 1, Level.VILLAGE: 2}
    for item in sorted(plan.regions, key=lambda r: order[r.level]):
        region = item.existing
        if region is None:
            region = Region.objects.create(
                name=item.name,
                level=item.level,
                parent=by_code.get(item.parent_code),
                code=item.code,
            )
            audit.record(
                actor,
                "region.create",
                region,
                after={**_region_fields(region), "level": region.level, "path": region.full_name},
            )
            outcome.created["regions"] += 1
        elif (region.name, region.code) != (item.name, item.code):
            before = _region_fields(region)
            region.name, region.code = item.name, item.code
            region.save()
            audit.record(
                actor, "region.update", region, before=before, after=_region_fields(region)
            )
            outcome.updated["regions"] += 1
        by_code[item.code] = region
    return by_code


def _import_orgs(actor, plan: Plan, outcome: Outcome, regions) -> dict:
    from processes.models import Operator

    operators = {}
    for item in plan.orgs:
        region = regions[item.region_code]
        if item.kind in GOVERNMENT_KINDS and item.credit_code != region.credit_code:
            if item.credit_code:
                before = _region_fields(region)
                region.credit_code = item.credit_code
                region.save(update_fields=["credit_code"])
                audit.record(
                    actor, "region.update", region, before=before, after=_region_fields(region)
                )
                outcome.updated["regions"] += 1
        if item.kind not in OPERATOR_KINDS:
            continue
        fields = {
            "name": item.name,
            "kind": OPERATOR_KINDS[item.kind],
            "credit_code": item.credit_code,
            "legal_representative": item.representative,
            "phone": item.phone,
            "township": region,
        }
        operator = item.existing_operator
        if operator is None:
            operator = Operator.objects.create(**fields)
            audit.record(actor, "operator.create", operator, after=_operator_fields(operator))
            outcome.created["operators"] += 1
        else:
            before = _operator_fields(operator)
            for name, value in fields.items():
                setattr(operator, name, value)
            if _operator_fields(operator) != before:
                operator.save()
                audit.record(
                    actor,
                    "operator.update",
                    operator,
                    before=before,
                    after=_operator_fields(operator),
                )
                outcome.updated["operators"] += 1
        operators[operator.name] = operator
    return operators


def _operator_fields(operator) -> dict:
    return {
        "name": operator.name,
        "kind": operator.kind,
        "credit_code": operator.credit_code,
        "legal_representative": operator.legal_representative,
        "phone": operator.phone,
        "township": operator.township_id,
    }


def _user_fields(user) -> dict:
    return {"username": user.username, "full_name": user.full_name, "phone": user.phone}


def _import_people(actor, plan: Plan, outcome: Outcome, regions, operators, hashed) -> None:
    from processes.models import Operator

    User = get_user_model()
    for item in plan.people:
        user = item.existing
        if user is None:
            user = User(username=item.username, full_name=item.full_name, phone=item.phone)
            user.password = hashed[item.username]
            user.save()
            audit.record(actor, "user.create", user, after=_user_fields(user))
            outcome.created["users"] += 1
        elif (user.full_name, user.phone) != (item.full_name, item.phone):
            before = _user_fields(user)
            user.full_name, user.phone = item.full_name, item.phone
            user.save(update_fields=["full_name", "phone"])
            audit.record(actor, "user.update", user, before=before, after=_user_fields(user))
            outcome.updated["users"] += 1
        if item.role is None:
            operator = operators.get(item.operator_name) or Operator.objects.get(
                name=item.operator_name
            )
            if operator.pk not in operator_ids(user):
                grants.grant_operator_access(actor, user, operator)
                outcome.grants += 1
            continue
        region = regions[item.region_code]
        held = roles_of(user)
        if not any(h.role == item.role and h.region.pk == region.pk for h in held):
            grants.grant_role(actor, user, item.role, region)
            outcome.grants += 1
        # One row, one role: a role the sheet no longer gives this person is revoked.
        for other in held:
            if not (other.role == item.role and other.region.pk == region.pk):
                grants.revoke_role(
                    actor,
                    user,
                    other.role,
                    other.region,
                    reason=_("Changed by the county import sheet."),
                )
                outcome.revokes += 1


def _issue_keys(actor, plan: Plan, outcome: Outcome, regions, operators, key_dir) -> None:
    from documents import pki
    from processes.papers.parties import operator_party, organisation_for, region_government

    wanted = [item for item in plan.orgs if item.issue_key]
    if not wanted:
        return
    try:
        first = regions[wanted[0].region_code]
        county = first.county
        ca = pki.create_county_ca(county.name, key_dir=key_dir)
        outcome.ca_created = ca.created
        if ca.county_name != county.name:
            outcome.ca_note = _(
                "The key directory holds the certificate authority of %(name)s."
            ) % {"name": ca.county_name}
        for item in wanted:
            region = regions[item.region_code]
            if item.kind in OPERATOR_KINDS:
                target = operators[item.name]
                party = operator_party(target)
            elif item.kind in COUNTY_UNIT_KINDS:
                target = region
                party = organisation_for(COUNTY_UNIT_KINDS[item.kind], region)
            else:
                target = region
                party = region_government(region)
            key = pki.issue_org_key(party.name, party.code, key_dir=key_dir)
            if key.created:
                audit.record(
                    actor,
                    "org_key.issue",
                    target,
                    after={"name": party.name, "code": party.code, "sha256": key.fingerprint},
                )
                outcome.keys_issued.append(party.name)
    except pki.PKIError as exc:
        raise ImportFailed(str(exc)) from exc
