"""Onboarding a county from one Excel workbook: its regions, officials and signing organisations.

A county office fills in the template (:func:`write_template`, Chinese headers): sheet 「区划」
(the region tree), 「人员」 (officials, one role each), 「单位」 (organisations that sign papers).
:func:`read_workbook` checks EVERY row and returns a :class:`Plan` listing every error with its
sheet, row and column; :func:`import_plan` applies a plan without errors in one transaction:
nothing is written when any row is wrong.

Domain work, so it lives in ``processes``: one sheet builds regions and grants (``permissions``),
operators (this app) and the county CA with its keys (``documents``). The modules follow the
import: the sheet's shape (sheet.py), the blank template, reading, checking rows, applying;
the admin page (admin.py) and ``manage.py import_county`` call the names below.
"""

from .applying import generate_password, import_plan
from .reading import read_workbook
from .sheet import (
    COLUMNS,
    INSTRUCTIONS,
    ORGS,
    PEOPLE,
    REGIONS,
    ImportFailed,
    Outcome,
    Plan,
    RowError,
    chinese_role_names,
    role_names,
)
from .template import write_template

__all__ = [
    "COLUMNS",
    "INSTRUCTIONS",
    "ORGS",
    "PEOPLE",
    "REGIONS",
    "ImportFailed",
    "Outcome",
    "Plan",
    "RowError",
    "chinese_role_names",
    "generate_password",
    "import_plan",
    "read_workbook",
    "role_names",
    "write_template",
]
