"""Every kind of paper rendered from sample data, for checking a template before it is used
(pretix-style preview), and for the 特惠贷 loan agreement until its credit-union process exists."""

from decimal import Decimal

from django.template.loader import render_to_string

from ground.numerals import amount_in_capitals, amount_in_figures

from .kinds import KINDS
from .models import DocumentKind


def _money(value):
    value = Decimal(value)
    return {
        "capitals": amount_in_capitals(value),
        "figures": amount_in_figures(value),
        "value": str(value),
    }


GOV = {
    "name": "织金县珠藏镇人民政府",
    "code": "R2-gov",
    "credit_code": "11520524MB0000002X",
    "representative": "王建国",
}
OPERATOR = {
    "name": "织金县珠藏镇乐丰生猪养殖专业合作社",
    "code": "93520524MA6D0001XB",
    "credit_code": "93520524MA6D0001XB",
    "representative": "陈德彬",
}
HOUSEHOLD = {
    "name": "王喆",
    "id_number": "52052419700101001X",
    "village": "织金县珠藏镇乐丰村",
    "bank_account": "6217000000000001",
    "members": 4,
}
PROJECT = {
    "name": "乐丰村生猪养殖项目",
    "industry": "生猪养殖",
    "scale": "年出栏生猪500头",
    "village": "织金县珠藏镇乐丰村",
    "village_name": "乐丰村",
    "township_name": "珠藏镇",
    "county_name": "织金县",
    "mode": "保底分红",
    "mode_code": "guaranteed_dividend",
    "funds": _money("300000"),
    "term_years": 3,
    "implementation_plan": "新建标准化圈舍800平方米。",
    "performance_targets": "带动脱贫户30户稳定增收。",
    "approval_doc_no": "织扶领〔2026〕1号",
    "approved_on": "2026年10月8日",
    "funds_doc_no": "织财农〔2026〕1号",
    "funds_issued": _money("300000"),
    "leader": "王建国",
    "team": "乡扶贫工作站",
    "policy_set": "《织金县财政专项扶贫资金管理办法》",
    "households": 30,
}
TERMS = {
    "signed_on": "2026年10月20日",
    "starts_on": "2026年11月1日",
    "ends_on": "2029年11月1日",
    "term_years": 3,
    "guaranteed": True,
    "manager_name": "",
    "household_share": "",
    "collateral": _money("310000"),
    "collateral_description": "圈舍及设备抵押",
    "first_year_rate": "6.00",
    "yearly_increase": "0.50",
    "schedule": [
        {
            "year": y + 1,
            "rate": f"{6 + 0.5 * y:.2f}",
            "amount": _money(300000 * (6 + 0.5 * y) / 100),
        }
        for y in range(3)
    ],
    "split": {"households": "70", "collective": "20", "fund": "10"},
}
COMMON = {
    "project": PROJECT,
    "township_gov": GOV,
    "county_gov": {**GOV, "name": "织金县人民政府"},
    "village_committee": {**GOV, "name": "织金县珠藏镇乐丰村村民委员会"},
    "operator": OPERATOR,
    "date": "2026年11月22日",
    "copies": 4,
}

SAMPLES = {
    DocumentKind.ENTRUSTMENT: {
        **COMMON,
        "terms": TERMS,
        "beneficiaries": [{**HOUSEHOLD, "share": _money("10000")}],
    },
    DocumentKind.BENEFIT_LINKAGE: {
        **COMMON,
        "terms": TERMS,
        "household": HOUSEHOLD,
        "share": _money("10000"),
        "household_schedule": [{"year": 1, "rate": "6.00", "amount": _money("600")}],
    },
    DocumentKind.DIRECT_SUBSIDY: {
        **COMMON,
        "household": HOUSEHOLD,
        "subsidy": _money("12000"),
        "term_years": 3,
        "signed_on": "2026年11月1日",
    },
    DocumentKind.LOAN: {
        "union": {
            "name": "织金农村商业银行珠藏支行",
            "credit_code": "91520524MA6D0009XX",
            "representative": "李刚",
        },
        "household": HOUSEHOLD,
        "amount": _money("50000"),
        "purpose": "购买种猪发展生猪养殖",
        "term_months": 36,
        "rate": "4.35",
        "date": "2026年11月22日",
        "copies": 3,
    },
    DocumentKind.APPROVAL_REPLY: COMMON,
    DocumentKind.ACCEPTANCE_REPORT: {
        **COMMON,
        "accepted_on": "2027年6月30日",
        "records": [
            {"level": "县级验收", "conclusion": "合格", "by": "张珺", "on": "2027年6月30日"}
        ],
        "reports": [{"percent": 100, "description": "完工", "on": "2027年6月1日"}],
    },
    DocumentKind.REIMBURSEMENT_FORM: {
        **COMMON,
        "claim": _money("300000"),
        "expense_details": "圈舍建设、设备采购",
        "payees": [],
    },
}


def render_sample_html(kind) -> str:
    from .production import title_parts

    meta = KINDS[kind]
    snapshot = SAMPLES[kind]
    return render_to_string(
        f"documents/{meta.template}.html",
        {
            **snapshot,
            "title": meta.title.format(**snapshot),
            "title_parts": title_parts(
                meta.title.format(**snapshot), [(snapshot.get("project") or {}).get("name", "")]
            ),
            "number": f"样例-{meta.prefix}",
            "template": meta.template,
            "kind_word": meta.kind_word,
            "signature_blocks": [
                {
                    "label": slot.label,
                    "party": (snapshot.get(slot.party) or {}).get("name", ""),
                    "credit_code": (snapshot.get(slot.party) or {}).get("credit_code", ""),
                    "signature": None,
                    "sign_word": slot.sign_word,
                    "seal_svg": "",
                }
                for slot in meta.slots
            ],
            "verify_url": "（样例，无核验地址）",
            "qr_svg": "",
        },
    )


def render_sample_pdf(kind) -> bytes:
    from . import rendering

    return rendering.render_pdf(render_sample_html(kind))
