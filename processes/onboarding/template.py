"""The blank workbook a county office fills in: instructions and two example rows per sheet."""

import io

from .sheet import COLUMNS, INSTRUCTIONS, ORG_KINDS, ORGS, PEOPLE, REGIONS, chinese_role_names

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
