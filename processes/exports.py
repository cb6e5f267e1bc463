"""Excel exports (openpyxl) for the jurisdiction: fund totals, fund movements, assets."""

import io

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from . import ledger
from .models import Asset, FundMovement, Project


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([str(value) if isinstance(value, Promise) else value for value in row])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 18
    return sheet


def ledger_workbook(user) -> bytes:
    projects = Project.objects.visible_to(user)
    workbook = Workbook()
    workbook.remove(workbook.active)
    rows = ledger.totals_by_township(user)
    total = ledger.county_total(rows)
    kinds = FundMovement.Kind
    _sheet(
        workbook,
        _("Fund ledger"),
        [_("Township"), _("Allocated"), _("Disbursed"), _("Reimbursed")],
        [[r["township"], r["allocated"], r["disbursed"], r["reimbursed"]] for r in rows]
        + [[_("Total"), total["allocated"], total["disbursed"], total["reimbursed"]]],
    )
    movements = FundMovement.objects.filter(project__in=projects).select_related(
        "project__village__parent", "audit_entry"
    )
    _sheet(
        workbook,
        _("Fund movements"),
        [
            _("Time"),
            _("Township"),
            _("Project"),
            _("Movement"),
            _("Payee"),
            _("Amount (yuan)"),
            _("By"),
        ],
        [
            [
                timezone.localtime(m.at).replace(tzinfo=None),
                m.project.village.parent.name,
                m.project.name,
                kinds(m.kind).label,
                m.payee,
                m.amount,
                m.audit_entry.actor_name,
            ]
            for m in movements
        ],
    )
    assets = Asset.objects.filter(project__in=projects).select_related("project__village__parent")
    _sheet(
        workbook,
        _("Asset register"),
        [
            _("Township"),
            _("Project"),
            _("Asset"),
            _("Value (yuan)"),
            _("Ownership"),
            _("Ownership certificate number"),
            _("Operation right"),
            _("Operated by"),
            _("Income right"),
            _("Supervision right"),
        ],
        [
            [
                a.project.village.parent.name,
                a.project.name,
                a.name,
                a.value,
                a.get_owner_display(),
                a.ownership_certificate,
                a.get_operation_display(),
                a.operated_by,
                a.income_terms,
                a.supervised_by,
            ]
            for a in assets
        ],
    )
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "as_tuple"):  # Decimal: yuan to the fen
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
