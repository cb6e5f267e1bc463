"""Checking the rows of each sheet against each other and against what is already imported:
every error is reported on its row and column, and only rows without one join the plan."""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from permissions.models import Region
from permissions.roles import Level

from ..models import Operator
from ..validators import validate_uscc
from .sheet import (
    COUNTY_UNIT_KINDS,
    EXPECTED_PARENT,
    GOVERNMENT_KINDS,
    LEVEL_WORDS,
    LEVELS,
    NO,
    OPERATOR_KINDS,
    ORG_KINDS,
    YES,
    OrgRow,
    PersonRow,
    Plan,
    RegionRow,
    Row,
    chinese_role_names,
    role_names,
)

_REGION_CODE = re.compile(r"^[0-9]{1,20}$", re.ASCII)
# A mobile number, or a landline with its area code (0857-7612345), optionally an extension.
_PHONE = re.compile(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}-?[0-9]{7,8}(-[0-9]{1,6})?)$", re.ASCII)


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


def check_regions(plan: Plan, rows: list[Row]) -> dict[str, str]:
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


def check_orgs(plan: Plan, rows: list[Row], levels: dict[str, str]) -> None:
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


def check_people(plan: Plan, rows: list[Row], levels: dict[str, str]) -> None:
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
