"""Excel exports (openpyxl) for the jurisdiction: fund totals, fund movements, assets."""

import io

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from workflow.inputs import safe_cell

from . import ledger
from .models import Asset, DividendShare, DividendYear, FundMovement, Project


def _append(sheet, values):
    """One row; text that would start a formula is written as a literal string (shown and
    read back unchanged), and characters an .xlsx cannot hold are dropped, so one asset
    named with a control character cannot break the county's export."""
    cells = [safe_cell(str(value) if isinstance(value, Promise) else value) for value in values]
    sheet.append([value for value, _as_text in cells])
    for cell, (_value, as_text) in zip(sheet[sheet.max_row], cells, strict=False):
        if as_text:
            cell.data_type = "s"
            cell.quotePrefix = True


def _sheet(workbook, title, header, rows):
    sheet = workbook.create_sheet(title)
    _append(sheet, [str(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        _append(sheet, row)
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
        [_("Region")] + [kind.label for kind in kinds],
        [[r["region"]] + [r[k] for k in kinds.values] for r in rows]
        + [[_("Total")] + [total[k] for k in kinds.values]],
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
    _dividend_sheet(workbook, projects)
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if hasattr(cell.value, "as_tuple"):  # Decimal: yuan to the fen
                    cell.number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _flags(item) -> str:
    flags = []
    if item.is_late():
        flags.append(str(_("Late")))
    if item.is_short():
        flags.append(str(_("Short")))
    return "、".join(flags)


def _dividend_sheet(workbook, projects):
    """Dividend payouts: one row per household per year, then the village's two parts."""
    header = [
        _("Township"),
        _("Village"),
        _("Project"),
        _("Agreement year"),
        _("Payee"),
        _("Dividend due (yuan)"),
        _("Dividend paid (yuan)"),
        _("Due by"),
        _("Paid on"),
        _("Flags"),
    ]
    rows = []
    years = (
        DividendYear.objects.filter(project__in=projects)
        .exclude(status=DividendYear.Status.SCHEDULED)
        .select_related("project__village__parent")
        .prefetch_related(
            Prefetch("shares", queryset=DividendShare.objects.select_related("household"))
        )
        .order_by("project__village__parent__name", "project__name", "year")
    )
    for year in years:
        place = [year.project.village.parent.name, year.project.village.name, year.project.name]
        for share in year.shares.all():
            rows.append(
                place
                + [year.year, share.household.head_name, share.amount_due, share.amount_paid]
                + [year.due_on, share.paid_on, _flags(share)]
            )
        for label, due, paid in (
            (_("Village collective"), year.collective_part, year.collective_paid),
            (_("Village management and development fund"), year.fund_part, year.fund_paid),
        ):
            short = paid is not None and paid < due
            flags = [f for f, on in ((_("Late"), year.is_late()), (_("Short"), short)) if on]
            rows.append(
                place
                + [year.year, label, due, paid, year.due_on, year.paid_on]
                + ["、".join(str(f) for f in flags)]
            )
    _sheet(workbook, _("Dividend payouts"), header, rows)
