"""Onboarding a county from its Excel sheet: every row checked first, nothing imported when one
is wrong, each grant an audited act, keys issued from the county CA, re-imports idempotent."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from guardian.models import UserObjectPermission
from openpyxl import Workbook, load_workbook

from benchmarks.onboarding import county_workbook
from documents import pki
from ground.audit import verify_chain
from ground.models import AuditEntry
from permissions.jurisdiction import operator_ids, roles_of
from permissions.models import Region
from permissions.roles import ROLES_BY_CODE
from processes import demo, onboarding
from processes.models import ImplementationMode, Operator

from .. import factories as f

User = get_user_model()
COUNTY, ZHUZANG, GUIGUO = "520524", "520524101", "520524102"
LEFENG, DAZHAI, NIUCHANG = "520524101201", "520524101202", "520524102201"
COOP = "织金县珠藏镇乐丰生猪养殖专业合作社"
COOP_CODE = f.valid_credit_code(7)

REGIONS = [
    [COUNTY, "织金县", "县", ""],
    [ZHUZANG, "珠藏镇", "乡镇", COUNTY],
    [GUIGUO, "桂果镇", "乡镇", COUNTY],
    [LEFENG, "乐丰村", "村", ZHUZANG],
    [DAZHAI, "大寨村", "村", ZHUZANG],
    [NIUCHANG, "牛场村", "村", GUIGUO],
]
PEOPLE = [
    ["zj_office", "张珺", "13800000001", "县扶贫办", COUNTY, "", "Zhang-office-2026"],
    ["zhuzang_station", "马丽", "0857-7612345", "乡镇扶贫工作站", ZHUZANG, "", ""],
    ["lefeng_secretary", "林海", "13800000003", "村支两委", LEFENG, "", ""],
    ["dazhai_secretary", "王明", "", "村支两委", DAZHAI, "", ""],
    ["coop_lefeng", "陈德彬", "", "经营主体", "", COOP, ""],
]
ORGS = [
    ["", "人民政府", COUNTY, "", "", "", "是"],
    ["织金县乡村振兴局", "乡村振兴局", COUNTY, "", "", "", "是"],
    ["", "人民政府", ZHUZANG, "", "", "", "是"],
    [COOP, "农民专业合作社", ZHUZANG, COOP_CODE, "陈德彬", "0857-7600001", "是"],
]


def workbook(regions=REGIONS, people=PEOPLE, orgs=ORGS) -> io.BytesIO:
    """A filled-in sheet as a county office would send it."""
    book = Workbook()
    book.active.title = onboarding.INSTRUCTIONS
    for title, rows in ((onboarding.REGIONS, regions), (onboarding.PEOPLE, people)):
        _sheet(book, title, rows)
    _sheet(book, onboarding.ORGS, orgs)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def _sheet(book, title, rows):
    sheet = book.create_sheet(title)
    sheet.append([header for _name, header in onboarding.COLUMNS[title]])
    for row in rows:
        sheet.append(row)


def counts():
    return {
        "regions": Region.objects.count(),
        "users": User.objects.count(),
        "grants": UserObjectPermission.objects.count(),
        "operators": Operator.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", password="Root-password-2026", full_name="管理员")


def imported(actor, book=None):
    plan = onboarding.read_workbook(book or workbook())
    assert plan.ok, [str(e) for e in plan.errors]
    return onboarding.import_plan(actor, plan)


def test_the_template_opens_with_openpyxl_with_every_header_instructions_and_two_examples(tmp_path):
    out = tmp_path / "template.xlsx"
    call_command("import_county", "--template", str(out), stdout=io.StringIO())
    book = load_workbook(out)
    assert book.sheetnames == ["说明", "区划", "人员", "单位"]
    assert "区划代码" in book["说明"]["A5"].value or any(
        "区划代码" in (row[0] or "") for row in book["说明"].iter_rows(values_only=True)
    )
    for title, columns in onboarding.COLUMNS.items():
        rows = list(book[title].iter_rows(values_only=True))
        assert rows[0] == tuple(header for _name, header in columns)
        assert len([r for r in rows[1:] if any(r)]) == 2


def test_the_template_as_downloaded_imports_cleanly_into_an_empty_database(admin_user):
    outcome = imported(admin_user, io.BytesIO(onboarding.write_template()))
    assert outcome.created == {"regions": 2, "users": 2, "operators": 1}
    assert [r.full_name for r in Region.objects.all()] == ["织金县", "织金县/珠藏镇"]


def test_a_good_sheet_imports_regions_officials_roles_operators_and_keys(admin_user):
    outcome = imported(admin_user)

    assert outcome.created == {"regions": 6, "users": 5, "operators": 1}
    assert outcome.grants == 5 and outcome.revokes == 0
    lefeng = Region.objects.get(code=LEFENG)
    assert lefeng.full_name == "织金县/珠藏镇/乐丰村" and lefeng.level == "village"
    secretary = User.objects.get(username="lefeng_secretary")
    assert secretary.full_name == "林海" and secretary.phone == "13800000003"
    assert [(r.role.code, r.region.code) for r in roles_of(secretary)] == [
        ("village_secretary", LEFENG)
    ]
    coop = Operator.objects.get(name=COOP)
    assert coop.credit_code == COOP_CODE and coop.township.code == ZHUZANG
    assert operator_ids(User.objects.get(username="coop_lefeng")) == [coop.pk]
    # Given passwords are set; blank ones generated and handed back once.
    assert User.objects.get(username="zj_office").check_password("Zhang-office-2026")
    generated = {username: password for username, _name, password in outcome.passwords}
    assert set(generated) == {
        "zhuzang_station",
        "lefeng_secretary",
        "dazhai_secretary",
        "coop_lefeng",
    }
    assert secretary.check_password(generated["lefeng_secretary"])
    # Keys: the county CA was created, then one key per organisation.
    assert outcome.ca_created
    assert outcome.keys_issued == [
        "织金县人民政府",
        "织金县乡村振兴局",
        "织金县珠藏镇人民政府",
        COOP,
    ]
    assert pki.get_ca().county_name == "织金县"
    assert pki.get_org_key(COOP_CODE).org_name == COOP
    # Every act is audited and the chain holds.
    acts = list(AuditEntry.objects.order_by("seq").values_list("act", flat=True))
    assert acts.count("region.create") == 6
    assert acts.count("user.create") == 5
    assert acts.count("role.grant") == 4 and acts.count("operator.grant") == 1
    assert acts.count("org_key.issue") == 4
    assert acts[-1] == "county.import"
    assert verify_chain() is None
    entry = AuditEntry.objects.get(act="user.create", object_id=str(secretary.pk))
    assert entry.actor == admin_user and "password" not in entry.after


def test_an_imported_village_secretary_sees_their_villages_project_and_gets_404_on_anothers(
    admin_user,
):
    imported(admin_user)
    lefeng_secretary = User.objects.get(username="lefeng_secretary")
    dazhai_secretary = User.objects.get(username="dazhai_secretary")
    fields = {"mode": ImplementationMode.DIRECT_SUBSIDY, "funds_amount": Decimal("30000.00")}
    own = demo.start_project(
        lefeng_secretary,
        name="乐丰村茶叶补助项目",
        industry="茶叶",
        village=Region.objects.get(code=LEFENG),
        scale="覆盖脱贫户",
        **fields,
    )
    other = demo.start_project(
        dazhai_secretary,
        name="大寨村竹荪补助项目",
        industry="竹荪",
        village=Region.objects.get(code=DAZHAI),
        scale="覆盖脱贫户",
        **fields,
    )
    client = f_client(lefeng_secretary)

    assert client.get(f"/projects/{own.pk}/").status_code == 200
    assert client.get(f"/projects/{other.pk}/").status_code == 404
    listing = client.get("/projects/").content.decode()
    assert "乐丰村茶叶补助项目" in listing and "大寨村竹荪补助项目" not in listing


def f_client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_a_sheet_with_one_bad_row_imports_nothing_and_names_the_row(admin_user):
    before = counts()
    people = [*PEOPLE[:3], ["dazhai_secretary", "王明", "", "村支两委", "520524999999", "", ""]]
    plan = onboarding.read_workbook(workbook(people=people))

    assert [(e.sheet, e.row, e.column, e.header) for e in plan.errors] == [
        ("人员", 5, "E", "区划代码")
    ]
    assert str(plan.errors[0]).startswith("「人员」表第 5 行 E 列（区划代码）：")
    assert "520524999999" in str(plan.errors[0])
    with pytest.raises(onboarding.ImportFailed):
        onboarding.import_plan(admin_user, plan)
    assert counts() == before
    assert verify_chain() is None
    assert not (pki.resolve_key_dir() / "ca").exists()


def test_every_kind_of_bad_row_is_listed_with_its_sheet_row_and_column(admin_user):
    regions = [
        *REGIONS,
        [LEFENG, "另一个村", "村", ZHUZANG],  # row 8: duplicate code
        ["520524103", "茶店乡", "乡镇", "520524000"],  # row 9: unknown parent
        ["520524104", "", "乡镇", COUNTY],  # row 10: empty name
        ["520524105201", "三塘村", "村", COUNTY],  # row 11: village under a county
        ["520524106", "少普镇", "镇区", COUNTY],  # row 12: unknown level
    ]
    people = [
        *PEOPLE,
        ["zj_office", "张三", "", "县财政局", COUNTY, "", ""],  # row 7: duplicate username
        ["someone", "李四", "", "村长", LEFENG, "", ""],  # row 8: unknown role
        ["station2", "赵五", "", "乡镇扶贫工作站", LEFENG, "", ""],  # row 9: role at wrong level
        ["phone_bad", "钱六", "12345", "村支两委", DAZHAI, "", ""],  # row 10: bad phone
        ["ctrl", "孙\u202e七", "", "村支两委", DAZHAI, "", ""],  # row 11: bidi control
        ["weak", "周八", "", "村支两委", DAZHAI, "", "password"],  # row 12: weak password
        ["", "吴九", "", "村支两委", DAZHAI, "", ""],  # row 13: empty username
    ]
    orgs = [*ORGS, ["", "人民政府", "520524999", "", "", "", "也许"]]  # row 6: region, 是/否
    before = counts()
    plan = onboarding.read_workbook(workbook(regions, people, orgs))

    found = {(e.sheet, e.row, e.column) for e in plan.errors}
    assert found == {
        ("区划", 8, "A"),
        ("区划", 9, "D"),
        ("区划", 10, "B"),
        ("区划", 11, "D"),
        ("区划", 12, "C"),
        ("单位", 6, "C"),
        ("单位", 6, "G"),
        ("人员", 7, "A"),
        ("人员", 8, "D"),
        ("人员", 9, "E"),
        ("人员", 10, "C"),
        ("人员", 11, "B"),
        ("人员", 12, "G"),
        ("人员", 13, "A"),
    }
    messages = {(e.sheet, e.row): e.message for e in plan.errors}
    assert "第 2 行" in messages["人员", 7]  # names the first row holding the username
    assert "U+202E" in messages["人员", 11]
    assert "村支两委" in messages["人员", 8]  # lists the roles one may write
    assert counts() == before


def test_reimporting_the_same_sheet_creates_nothing_and_a_changed_row_updates_with_audit(
    admin_user,
):
    imported(admin_user)
    after_first = counts()

    again = imported(admin_user)
    assert again.created == {"regions": 0, "users": 0, "operators": 0}
    assert again.updated == {"regions": 0, "users": 0, "operators": 0}
    assert again.grants == again.revokes == 0 and again.keys_issued == [] and not again.passwords
    assert counts() == {**after_first, "audit": after_first["audit"] + 1}  # the import itself

    people = [row[:] for row in PEOPLE]
    people[2][2] = "13900000009"  # 林海's new phone
    people[3][4] = LEFENG  # 王明 moves from 大寨村 to 乐丰村
    regions = [row[:] for row in REGIONS]
    regions[4][1] = "大寨新村"
    changed = imported(admin_user, workbook(regions, people))

    assert changed.updated == {"regions": 1, "users": 1, "operators": 0}
    assert changed.grants == 1 and changed.revokes == 1
    assert Region.objects.get(code=DAZHAI).name == "大寨新村"
    wang = User.objects.get(username="dazhai_secretary")
    assert [(r.role.code, r.region.code) for r in roles_of(wang)] == [("village_secretary", LEFENG)]
    phone = AuditEntry.objects.get(act="user.update")
    assert (phone.before["phone"], phone.after["phone"]) == ("13800000003", "13900000009")
    revoke = AuditEntry.objects.get(act="role.revoke")
    assert (
        revoke.object_id == str(wang.pk)
        and revoke.before["region"] == Region.objects.get(code=DAZHAI).pk
    )
    assert User.objects.count() == after_first["users"]
    assert verify_chain() is None


def test_an_existing_region_cannot_be_moved_by_the_sheet(admin_user):
    imported(admin_user)
    regions = [row[:] for row in REGIONS]
    regions[5][3] = ZHUZANG  # 牛场村 from 桂果镇 to 珠藏镇
    plan = onboarding.read_workbook(workbook(regions))
    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("区划", 7, "D")]


def test_a_region_built_before_it_had_a_code_is_adopted_not_duplicated(admin_user):
    county = f.county("织金县")
    county.code = COUNTY
    county.save()
    zhuzang = f.township(county, "珠藏镇")
    imported(admin_user)
    zhuzang.refresh_from_db()
    assert zhuzang.code == ZHUZANG
    assert Region.objects.filter(name="珠藏镇").count() == 1


def test_a_file_that_is_not_a_workbook_is_one_clear_error():
    plan = onboarding.read_workbook(io.BytesIO(b"%PDF-1.7 not a sheet"))
    assert [str(e) for e in plan.errors] == ["文件不是 Excel 工作簿（.xlsx）。"]


def test_a_sheet_missing_a_column_names_the_column(db):
    book = Workbook()
    sheet = book.active
    sheet.title = "区划"
    sheet.append(["区划代码", "名称", "层级"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    plan = onboarding.read_workbook(buffer)
    assert [(e.sheet, e.row, e.header) for e in plan.errors] == [("区划", 1, "上级区划代码")]


def test_the_command_dry_run_imports_nothing_and_a_bad_sheet_fails_listing_errors(
    admin_user, tmp_path
):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(workbook().getvalue())
    people = [*PEOPLE, ["x1", "某", "", "乡镇领导", LEFENG, "", ""]]
    bad.write_bytes(workbook(people=people).getvalue())
    before = counts()

    out = io.StringIO()
    call_command("import_county", str(good), "--dry-run", stdout=out)
    assert "6 个区划（6 个新建）" in out.getvalue() and counts() == before

    err = io.StringIO()
    with pytest.raises(CommandError, match="1 个错误"):
        call_command("import_county", str(bad), stdout=io.StringIO(), stderr=err)
    assert "「人员」表第 7 行 E 列（区划代码）" in err.getvalue()
    assert counts() == before

    out = io.StringIO()
    call_command("import_county", str(good), stdout=out)
    assert "lefeng_secretary" in out.getvalue()  # generated passwords printed once
    assert Region.objects.count() == 6


# ---------------------------------------------------------------------------- the admin page


def upload(client, book, **extra):
    book.name = "county.xlsx"
    return client.post("/admin/permissions/region/import/", {"sheet": book, **extra})


def test_a_superuser_imports_the_sheet_on_the_admin_page_and_sees_the_passwords_once(
    admin_user,
):
    client = f_client(admin_user)
    assert client.get("/admin/permissions/region/import/").status_code == 200

    response = upload(client, workbook())
    page = response.content.decode()
    assert response.status_code == 200
    assert "已导入" in page
    generated = User.objects.get(username="lefeng_secretary")
    shown = [p for u, _n, p in response.context["outcome"].passwords if u == generated.username]
    assert shown and shown[0] in page and generated.check_password(shown[0])
    assert "no-cache" in response["Cache-Control"]
    assert Region.objects.count() == 6
    assert AuditEntry.objects.get(act="county.import").actor == admin_user


def test_the_admin_page_lists_every_error_and_imports_nothing(admin_user):
    client = f_client(admin_user)
    before = counts()
    people = [*PEOPLE, ["x1", "某", "12", "乡镇领导", LEFENG, "", ""]]
    page = upload(client, workbook(people=people)).content.decode()
    assert "发现 2 个错误" in page and "未导入任何数据" in page
    assert '>C</span><br><span class="nowrap">手机号<' in page
    assert '>E</span><br><span class="nowrap">区划代码<' in page
    assert counts() == before


def test_the_admin_check_only_box_reports_counts_and_imports_nothing(admin_user):
    client = f_client(admin_user)
    before = counts()
    page = upload(client, workbook(), dry_run="1").content.decode()
    assert "没有错误" in page and "6 个区划" in page
    assert counts() == before


def test_the_admin_template_download_is_the_workbook(admin_user):
    response = f_client(admin_user).get("/admin/permissions/region/template.xlsx")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["人员"][1]] == [h for _n, h in onboarding.COLUMNS["人员"]]
    listing = f_client(admin_user).get("/admin/permissions/region/").content.decode()
    assert "/admin/permissions/region/template.xlsx" in listing


def test_only_superusers_reach_the_import(cast):
    staff = cast.user("county_poverty_office")
    staff.is_staff = True
    staff.save()
    assert f_client(staff).get("/admin/permissions/region/import/").status_code == 403
    assert f_client(staff).get("/admin/permissions/region/template.xlsx").status_code == 403
    before = Region.objects.count()
    assert upload(f_client(staff), workbook()).status_code == 403
    official = cast.user("village_secretary", "A1")
    response = f_client(official).get("/admin/permissions/region/import/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Region.objects.count() == before


def test_a_county_shaped_sheet_imports_in_one_go_and_one_bad_row_stops_it(admin_user):
    """The benchmark's sheet (python -m benchmarks --only onboarding), at a tenth of its size."""
    bad = onboarding.read_workbook(io.BytesIO(county_workbook(3, 12, 40, bad_row=True)))
    assert [(e.sheet, e.row, e.column) for e in bad.errors] == [("人员", 40, "E")]
    assert Region.objects.count() == 0

    outcome = imported(admin_user, io.BytesIO(county_workbook(3, 12, 40)))
    assert outcome.created == {"regions": 16, "users": 40, "operators": 0}
    assert outcome.grants == 40 and len(outcome.keys_issued) == 4
    secretaries = UserObjectPermission.objects.filter(
        permission__codename=ROLES_BY_CODE["village_secretary"].code
    )
    assert secretaries.count() == 10


def test_the_admin_page_sends_a_sheet_with_too_many_new_accounts_to_the_command(
    admin_user, monkeypatch
):
    from processes.onboarding import admin as onboarding_admin

    monkeypatch.setattr(onboarding_admin, "WEB_MAX_NEW_ACCOUNTS", 3)
    before = counts()
    page = upload(f_client(admin_user), workbook()).content.decode()
    assert "manage.py import_county county.xlsx" in page and "5 个账户" in page
    assert counts() == before


def test_renaming_a_region_to_a_siblings_name_is_an_error_not_a_crash(admin_user):
    imported(admin_user)
    regions = [REGIONS[0], REGIONS[1], [DAZHAI, "乐丰村", "村", ZHUZANG]]
    plan = onboarding.read_workbook(workbook(regions, people=[], orgs=[]))
    assert [(e.sheet, e.row, e.column) for e in plan.errors] == [("区划", 4, "B")]
    assert LEFENG in plan.errors[0].message
