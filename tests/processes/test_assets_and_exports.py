"""After acceptance each income-earning asset is registered with its four rights; the
ledger, movements and register export to Excel, within jurisdiction."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from ground.models import AuditEntry
from processes.models import Asset, ImplementationMode

from ..flowdriver import Driver

ASSET = {
    "name": "乐丰村标准化生猪圈舍",
    "value": "300000.00",
    "owner": "village_collective",
    "ownership_certificate": "织资〔2027〕001号",
    "operation": "entrusted",
    "operated_by": "乐丰生猪养殖专业合作社",
    "income_terms": "保底分红6%逐年递增",
    "supervised_by": "乡镇扶贫工作站、乡镇纪委",
}


def accepted_project(cast, until="reimbursement"):
    driver = Driver(cast, "A1")
    project = driver.start(
        mode=ImplementationMode.GUARANTEED_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
    )
    driver.run(project, until=until)
    return driver, project


def test_an_accepted_projects_asset_is_registered_with_its_four_rights(cast):
    _driver, project = accepted_project(cast)
    station = cast.client(cast.user("township_work_station", "A"))
    url = f"/projects/{project.pk}/assets/new/"
    form = station.get(url)
    assert form.status_code == 200
    assert (
        "6.00" in form.context["form"].initial["income_terms"]
    )  # from the agreement's dividend terms

    assert station.post(url, ASSET).status_code == 302

    asset = Asset.objects.get(project=project)
    assert (asset.owner, asset.operation, asset.value) == (
        "village_collective",
        "entrusted",
        Decimal("300000.00"),
    )
    assert asset.registered_by == cast.user("township_work_station", "A")
    entry = AuditEntry.objects.get(act="asset.register")
    assert (
        entry.project_id == project.pk
        and entry.after["ownership_certificate"] == "织资〔2027〕001号"
    )
    page = station.get(f"/projects/{project.pk}/").content.decode()
    assert "织资〔2027〕001号" in page and "¥300,000.00" in page


def test_assets_are_registered_only_after_acceptance_and_only_by_the_right_officials(cast):
    _driver, project = accepted_project(cast, until="township_acceptance")
    url = f"/projects/{project.pk}/assets/new/"
    station = cast.client(cast.user("township_work_station", "A"))
    response = station.post(url, ASSET)
    assert response.status_code == 200 and not Asset.objects.exists()
    assert response.context["form"].non_field_errors()
    assert (
        cast.client(cast.user("village_secretary", "A1")).get(url).status_code == 403
    )  # sees it, may not
    assert (
        cast.client(cast.user("township_work_station", "B")).get(url).status_code == 404
    )  # outside


def test_ledger_and_asset_register_export_to_excel_within_jurisdiction(cast):
    _driver, project = accepted_project(cast)
    cast.client(cast.user("township_work_station", "A")).post(
        f"/projects/{project.pk}/assets/new/", ASSET
    )

    response = cast.client(cast.user("county_finance_bureau")).get("/projects/ledger.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.getvalue()))
    ledger, movements, assets, dividends = book.worksheets
    assert dividends.max_row == 1  # no year reported yet: the header only
    assert ledger[2][0].value == "珠藏镇" and ledger[2][1].value == 300000
    assert movements.max_row == 2 and movements[2][4].value == "珠藏镇"  # payee of the allocation
    assert (
        assets[2][2].value == "乐丰村标准化生猪圈舍" and assets[2][5].value == "织资〔2027〕001号"
    )

    other = cast.client(cast.user("township_lead", "B")).get("/projects/ledger.xlsx")
    other_book = load_workbook(io.BytesIO(other.getvalue()))
    assert (
        other_book.worksheets[0].max_row == 2
    )  # header and an all-zero total: nothing of township A
    assert other_book.worksheets[2].max_row == 1


def test_the_station_is_prompted_to_register_the_assets_of_an_accepted_project(cast):
    from processes import assets as asset_rules

    driver = Driver(cast, "A1")
    project = driver.start(mode="equity_dividend", funds="100000.00", name="待登记资产项目")
    driver.run(project, until="reimbursement")  # accepted by the county
    station = cast.user("township_work_station", "A")
    assert list(asset_rules.awaiting_registration(station)) == [project]
    assert list(asset_rules.awaiting_registration(cast.user("township_work_station", "B"))) == []
    listing = cast.client(station).get("/projects/").content.decode()
    assert "qy-assets-prompt" in listing and f"/projects/{project.pk}/assets/new/" in listing
    page = cast.client(station).get(f"/projects/{project.pk}/").content.decode()
    assert "qy-assets-prompt" in page
    other = cast.client(cast.user("township_work_station", "B")).get("/projects/").content.decode()
    assert "qy-assets-prompt" not in other
