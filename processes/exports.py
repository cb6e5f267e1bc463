"""Excel exports (openpyxl) for the jurisdiction: fund totals, fund movements, assets."""

from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from workflow.inputs import safe_cell

from . import ledger
from .models import Asset, DividendShare, DividendYear, FundMovement, Project

BOLD = Font(bold=True)


MONEY_FORMAT = "#,##0.00"
CHUNK = 2000  # rows read from the database at a time


def _cells(sheet, values, bold=False):
    """One row of write-only cells; text that would start a formula is written as a literal
    string (shown and read back unchanged), and characters an .xlsx cannot hold are dropped,
    so one asset named with a control character cannot break the county's export. Decimals
    are yuan to the fen."""
    cells = []
    for value in values:
        value, as_text = safe_cell(str(value) if isinstance(value, Promise) else value)
        if not (as_text or bold or isinstance(value, Decimal)):
            cells.append(value)  # a plain value needs no cell object of its own
            continue
        cell = WriteOnlyCell(sheet, value=value)
        if as_text:
            cell.data_type = "s"
            cell.quotePrefix = True
        if isinstance(value, Decimal):
            cell.number_format = MONEY_FORMAT
        if bold:
            cell.font = BOLD
        cells.append(cell)
    return cells


def _sheet(workbook, title, header, rows):
    """A sheet written row by row: openpyxl's write-only mode keeps no cell in memory."""
    sheet = workbook.create_sheet(title)
    for index in range(1, len(header) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    sheet.append(_cells(sheet, [str(value) for value in header], bold=True))
    for row in rows:
        sheet.append(_cells(sheet, row))
    return sheet


def ledger_workbook(user, out) -> None:
    """Write the jurisdiction's ledger, fund movements, asset register and dividend payouts
    as an .xlsx into the file ``out``, streaming rows from the database in chunks: memory
    stays bounded however many rows a county has."""
    projects = Project.objects.visible_to(user)
    workbook = Workbook(write_only=True)
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
    labels = dict(kinds.choices)
    movements = (
        FundMovement.objects.filter(project__in=projects)
        .order_by("project", "at", "pk")
        .values_list(
            "at",
            "project__village__parent__name",
            "project__name",
            "kind",
            "payee",
            "amount",
            "audit_entry__actor_name",
        )
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
        (
            [timezone.localtime(at).replace(tzinfo=None), township, name]
            + [str(labels[kind]), payee, amount, actor]
            for at, township, name, kind, payee, amount, actor in movements.iterator(CHUNK)
        ),
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
        (
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
            for a in assets.iterator(CHUNK)
        ),
    )
    _dividend_sheet(workbook, projects)
    workbook.save(out)


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
    years = (
        DividendYear.objects.filter(project__in=projects)
        .exclude(status=DividendYear.Status.SCHEDULED)
        .select_related("project__village__parent")
        .prefetch_related(
            Prefetch("shares", queryset=DividendShare.objects.select_related("household"))
        )
        .order_by("project__village__parent__name", "project__name", "year")
    )
    _sheet(workbook, _("Dividend payouts"), header, _dividend_rows(years.iterator(CHUNK)))


def _dividend_rows(years):
    for year in years:
        place = [year.project.village.parent.name, year.project.village.name, year.project.name]
        for share in year.shares.all():
            yield (
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
            yield (
                place
                + [year.year, label, due, paid, year.due_on, year.paid_on]
                + ["、".join(str(f) for f in flags)]
            )
