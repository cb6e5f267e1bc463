"""The county import workbook's shape: its sheets, columns and fixed words, and the plan a
read of it yields (every row checked, every error with its sheet, row and column).

The sheet's headers and its fixed words (县/乡镇/村, 是/否, role names) are the format a county
fills in, so they are Chinese in the code, not translated. Roles are named as the Chinese UI
names them (村支两委, 乡镇扶贫工作站 …); their English names and codes are accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext as _

from permissions.models import Region
from permissions.roles import REGION_ROLES, Level, Role

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
