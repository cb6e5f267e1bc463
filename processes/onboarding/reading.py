"""Reading the workbook: every cell of every sheet, then every row checked (checking.py).
Nothing is written."""

import hashlib
import io
import unicodedata

from django.utils.translation import gettext as _

from .checking import check_orgs, check_people, check_regions
from .sheet import COLUMNS, ORGS, PEOPLE, REGIONS, Plan, Row, RowError

MAX_ROWS = 20000  # per sheet: a county has a few thousand officials at most
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"}


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
    levels = check_regions(plan, region_rows)
    check_orgs(plan, org_rows, levels)
    check_people(plan, person_rows, levels)
    order = {title: i for i, title in enumerate(COLUMNS)}
    plan.errors.sort(key=lambda e: (order.get(e.sheet, -1), e.row, len(e.column), e.column))
    return plan
