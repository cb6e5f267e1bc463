"""Every kind of paper rendered from sample data, for checking a template before it is used
(pretix-style preview), and for the 特惠贷 loan agreement until its credit-union process exists.

``VARIABLES`` is the registry of what each kind's template prints: every variable by its
dotted path (``*`` for each row of a list), in each branch the template has (a guaranteed
dividend or an equity share). The samples are drawn from one pool of sample values, so a
sample holds exactly the kind's variables: rendering is strict (documents/html.py), so a
variable the template prints but the registry lacks fails the preview.

What each variable is, in words, for the people who write templates (the preview page) is in
:mod:`documents.preview_words`.
"""

import copy

from .formats import money as _money
from .kinds import KINDS
from .models import DocumentKind

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
    "number": 2,
    "renews": True,
    "term_years": 3,
    "guaranteed": True,
    "manager_name": "李明",
    "household_share": "75",
    "min_household_share": "70",
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
POOL = {
    "project": PROJECT,
    "township_gov": GOV,
    "operator": OPERATOR,
    "household": HOUSEHOLD,
    "terms": TERMS,
    "beneficiaries": [
        {
            **HOUSEHOLD,
            "share": _money("10000"),
            "id_masked": "520524********001X",
            "amount": _money("10000"),
        }
    ],
    "village_committee": {
        "name": "织金县珠藏镇乐丰村村民委员会",
        "code": "R3-gov",
        "credit_code": "54520524MF0000003A",
        "representative": "张建华",
    },
    "registrar": GOV,
    "report_url": "https://qiyue.example.org/report/project/12/",
    "notice": {"start": "2026年9月1日", "end": "2026年9月7日", "days": 7},
    "dividend": {
        "year": 1,
        "period_start": "2026年11月1日",
        "period_end": "2027年10月31日",
        "due_on": "2027年11月30日",
        "total": _money("18000"),
        "households": 30,
    },
    "shares": [
        {"name": "王喆", "id_masked": "520524********001X", "members": 4, "amount": _money("600")}
    ],
    "assets": [
        {
            "name": "乐丰村标准化生猪圈舍",
            "value": _money("300000"),
            "owner": "村集体",
            "certificate_no": "织扶资〔2027〕12号",
            "operation": "委托经营",
            "operated_by": "织金县珠藏镇乐丰生猪养殖专业合作社",
            "income_terms": "按协议保底分红，收益按721分配",
            "supervised_by": "珠藏镇扶贫工作站",
            "registered_on": "2027年7月10日",
        }
    ],
    "total_value": _money("300000"),
    "share": _money("10000"),
    "household_schedule": [{"year": 1, "rate": "6.00", "amount": _money("600")}],
    "subsidy": _money("12000"),
    "subsidy_cap": _money("20000"),
    "term_years": 3,
    "union": {
        "name": "织金农村商业银行珠藏支行",
        "credit_code": "91520524MA6D0009XX",
        "representative": "李刚",
    },
    "amount": _money("50000"),
    "purpose": "购买种猪发展生猪养殖",
    "term_months": 36,
    "rate": "4.35",
    "copies": 4,
    "accepted_on": "2027年6月30日",
    "records": [{"level": "县级验收", "conclusion": "合格", "by": "张珺", "on": "2027年6月30日"}],
    "reports": [{"percent": 100, "description": "完工", "on": "2027年6月1日"}],
    "claim": _money("300000"),
    "expense_details": "圈舍建设、设备采购",
    "payees": [{**HOUSEHOLD, "subsidy": _money("12000")}],
}

PARTY = ("name", "credit_code", "representative")
MONEY = ("capitals", "figures")
TERM = ("terms.term_years", "terms.starts_on", "terms.ends_on", "terms.guaranteed")


def _paths(prefix: str, names) -> tuple[str, ...]:
    return tuple(f"{prefix}.{name}" for name in names)


ENTRUSTMENT = (
    *_paths("township_gov", PARTY),
    *_paths("operator", PARTY),
    *_paths("project", ("name", "village", "industry", "county_name", "approval_doc_no")),
    *_paths("project", ("scale", "mode")),
    *_paths("project.funds", MONEY),
    *TERM,
    "terms.renews",
    *_paths("terms.split", ("households", "collective", "fund")),
    *_paths("beneficiaries.*", ("name", "id_number", "members")),
    "beneficiaries.*.share.figures",
    "copies",
)
NOTICE = (  # what both notices print of the village, the township and the period
    "village_committee.name",
    "township_gov.name",
    "project.name",
    *_paths("notice", ("start", "end", "days")),
    "report_url",
)
BENEFIT_LINKAGE = (
    *_paths("operator", PARTY),
    *_paths("household", ("name", "id_number", "village", "bank_account")),
    "township_gov.name",
    "project.name",
    *_paths("share", MONEY),
    *TERM,
    "copies",
)

VARIABLES = {
    DocumentKind.ENTRUSTMENT: {
        "guaranteed dividend, renewed": (
            *ENTRUSTMENT,
            "terms.number",
            *_paths("terms", ("first_year_rate", "yearly_increase", "collateral_description")),
            *_paths("terms.collateral", MONEY),
            *_paths("terms.schedule.*", ("year", "rate")),
            *_paths("terms.schedule.*.amount", MONEY),
        ),
        "equity share": (
            *ENTRUSTMENT,
            *_paths("terms", ("manager_name", "household_share", "min_household_share")),
        ),
    },
    DocumentKind.BENEFIT_LINKAGE: {
        "guaranteed dividend": (
            *BENEFIT_LINKAGE,
            *_paths("terms", ("first_year_rate", "yearly_increase", "collateral_description")),
            *_paths("household_schedule.*", ("year", "rate")),
            *_paths("household_schedule.*.amount", MONEY),
        ),
        "equity share": (*BENEFIT_LINKAGE, "terms.household_share", "terms.min_household_share"),
    },
    DocumentKind.DIRECT_SUBSIDY: {
        "": (
            *_paths("township_gov", PARTY),
            *_paths("household", ("name", "id_number", "village", "members", "bank_account")),
            *_paths("project", ("industry", "name", "approval_doc_no", "scale")),
            *_paths("subsidy", MONEY),
            *_paths("subsidy_cap", MONEY),
            "term_years",
            "copies",
        )
    },
    DocumentKind.LOAN: {
        "": (
            *_paths("union", PARTY),
            *_paths("household", ("name", "id_number", "village")),
            *_paths("amount", MONEY),
            "purpose",
            "term_months",
            "rate",
            "copies",
        )
    },
    DocumentKind.APPROVAL_REPLY: {
        "": (
            "township_gov.name",
            *_paths("project", ("name", "county_name", "village", "mode", "households")),
            *_paths("project", ("performance_targets", "leader", "approval_doc_no")),
            *_paths("project.funds", MONEY),
        )
    },
    DocumentKind.ACCEPTANCE_REPORT: {
        "": (
            *_paths("project", ("name", "village", "mode", "approval_doc_no")),
            *_paths("project.funds", MONEY),
            *_paths("reports.*", ("on", "percent", "description")),
            *_paths("records.*", ("level", "on", "by", "conclusion")),
            "accepted_on",
        )
    },
    DocumentKind.PUBLIC_NOTICE: {
        "": (
            *NOTICE,
            *_paths("project", ("village", "township_name", "industry", "scale", "mode")),
            "project.households",
            *_paths("project.funds", MONEY),
            *_paths("beneficiaries.*", ("name", "id_masked", "members")),
            "beneficiaries.*.amount.figures",
        )
    },
    DocumentKind.DIVIDEND_NOTICE: {
        "": (
            *NOTICE,
            *_paths("dividend", ("year", "period_start", "period_end", "due_on", "households")),
            *_paths("dividend.total", MONEY),
            *_paths("shares.*", ("name", "id_masked", "members")),
            "shares.*.amount.figures",
        )
    },
    DocumentKind.OWNERSHIP_CERTIFICATE: {
        "": (
            "registrar.name",
            *_paths("project", ("name", "approval_doc_no", "village", "mode")),
            *_paths("project.funds", MONEY),
            *_paths("assets.*", ("name", "owner", "certificate_no", "operation")),
            *_paths("assets.*", ("operated_by", "income_terms", "supervised_by", "registered_on")),
            *_paths("assets.*.value", MONEY),
            *_paths("total_value", MONEY),
        )
    },
    DocumentKind.REIMBURSEMENT_FORM: {
        "": (
            *_paths("project", ("name", "approval_doc_no", "funds_doc_no")),
            "township_gov.name",
            *_paths("project.funds_issued", MONEY),
            *_paths("claim", MONEY),
            "expense_details",
            *_paths("payees.*", ("name", "id_number", "bank_account")),
            "payees.*.subsidy.figures",
        )
    },
}

# What a branch's sample says differently from the pool.
OVERRIDES = {
    (DocumentKind.ENTRUSTMENT, "equity share"): {"terms": {"guaranteed": False, "renews": False}},
    (DocumentKind.BENEFIT_LINKAGE, "equity share"): {"terms": {"guaranteed": False}},
    (DocumentKind.LOAN, ""): {"copies": 3},
}


def _pick(source, steps: list[str], into):
    """Copy the value at ``steps`` from ``source`` into ``into`` (``*``: every row)."""
    step, rest = steps[0], steps[1:]
    if step == "*":
        while len(into) < len(source):
            into.append({})
        for row, target in zip(source, into, strict=True):
            _pick(row, rest, target)
    elif not rest:
        into[step] = copy.deepcopy(source[step])
    else:
        into.setdefault(step, [] if isinstance(source[step], list) else {})
        _pick(source[step], rest, into[step])


def _merged(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = _merged(base[key], value) if isinstance(value, dict) else value
    return merged


def sample(kind, branch: str | None = None, without: str | None = None) -> dict:
    """The sample paper data of ``kind`` (its first branch unless named): exactly its
    registered variables; ``without`` leaves one of them out."""
    branches = VARIABLES[kind]
    branch = next(iter(branches)) if branch is None else branch
    source = _merged(POOL, OVERRIDES.get((kind, branch), {}))
    data: dict = {}
    for path in branches[branch]:
        if path != without:
            _pick(source, path.split("."), data)
    return data


def render_sample_html(kind, data: dict | None = None) -> str:
    """The paper of ``kind`` from its sample (or ``data``), unsigned, as production renders it."""
    from .html import render_paper, strict

    meta = KINDS[kind]
    snapshot = sample(kind) if data is None else data
    return render_paper(
        meta.template,
        snapshot,
        title=meta.title.format_map(strict(snapshot)),
        number=f"样例-{meta.prefix}",
        kind_word=meta.kind_word,
        signature_blocks=[
            {
                "label": slot.label,
                "party": (snapshot.get(slot.party) or {}).get("name", ""),
                "credit_code": (snapshot.get(slot.party) or {}).get("credit_code", ""),
                "signature": None,
                "sign_word": slot.sign_word,
                "seal": "",
            }
            for slot in meta.slots
        ],
        verify_url="（样例，无核验地址）",
        qr_code="",
        qr_codes=meta.qr_codes,
    )


def render_sample_pdf(kind) -> bytes:
    from . import rendering

    return rendering.render_pdf(render_sample_html(kind))
