"""What each kind of document is: its template, its title, its number and its signatories;
and the parties that sign."""

from dataclasses import dataclass, field

from .models import DocumentKind


@dataclass(frozen=True)
class Party:
    """Who signs a paper, as the caller names it: documents know no region or operator."""

    name: str  # organisation name, e.g. 织金县珠藏镇人民政府
    code: str  # key and certificate code: unified social credit code, or a region code
    credit_code: str  # as printed on agreements
    representative: str  # legal representative / person in charge

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "code": self.code,
            "credit_code": self.credit_code,
            "representative": self.representative,
        }


@dataclass(frozen=True)
class Slot:
    label: str  # 甲方, 乙方 …
    party: str  # key of the party in the snapshot ("township_gov", "operator", "household", …)
    digital: bool = True  # False: a household signs on paper
    sign_word: str = "代表人（签字）"


@dataclass(frozen=True)
class Kind:
    code: str
    template: str
    title: str  # str.format with the snapshot's project and household
    prefix: str
    slots: tuple[Slot, ...] = field(default_factory=tuple)
    kind_word: str = "协议"
    seal_purpose: str = "合同专用章"  # below the seal's star; "" for the official seal (公章)
    # Snapshot values that are addresses to print as QR codes too: each as ``<key>_qr``.
    qr_codes: tuple[str, ...] = ()


HOUSEHOLD = Slot("乙方", "household", digital=False, sign_word="户主（签字、按手印）")

KINDS = {
    DocumentKind.ENTRUSTMENT: Kind(
        "entrustment",
        "entrustment/v2",
        "{project[name]}委托协议",
        "WT",
        (Slot("甲方", "township_gov"), Slot("乙方", "operator")),
    ),
    DocumentKind.BENEFIT_LINKAGE: Kind(
        "benefit_linkage",
        "benefit_linkage/v2",
        "{project[name]}利益联结协议（{household[name]}）",
        "LJ",
        (Slot("甲方", "operator"), HOUSEHOLD),
    ),
    DocumentKind.DIRECT_SUBSIDY: Kind(
        "direct_subsidy",
        "direct_subsidy/v2",
        "{project[name]}分散直补滚动发展协议（{household[name]}）",
        "ZB",
        (Slot("甲方", "township_gov"), HOUSEHOLD),
    ),
    DocumentKind.LOAN: Kind(
        "loan",
        "loan/v1",
        "“特惠贷”借款协议（{household[name]}）",
        "TD",
        (
            Slot("甲方", "union"),
            Slot("乙方", "household", digital=False, sign_word="借款人（签字、按手印）"),
        ),
    ),
    DocumentKind.APPROVAL_REPLY: Kind(
        "approval_reply", "approval_reply/v1", "关于{project[name]}的批复", "PF", (), "批复", ""
    ),
    DocumentKind.ACCEPTANCE_REPORT: Kind(
        "acceptance_report", "acceptance_report/v1", "{project[name]}验收报告", "YS", (), "报告", ""
    ),
    DocumentKind.REIMBURSEMENT_FORM: Kind(
        "reimbursement_form",
        "reimbursement_form/v1",
        "{project[name]}报账单",
        "BZ",
        (),
        "报账单",
        "",
    ),
    # Posted on the village board, so their lists print masked ID numbers only.
    DocumentKind.PUBLIC_NOTICE: Kind(
        "public_notice",
        "public_notice/v1",
        "关于{project[name]}的公示",
        "GS",
        (Slot("公示单位", "village_committee"),),
        "公示",
        "",
        ("report_url",),
    ),
    DocumentKind.DIVIDEND_NOTICE: Kind(
        "dividend_notice",
        "dividend_notice/v1",
        "{project[name]}分红名单公示",
        "FH",
        (Slot("公示单位", "village_committee"),),
        "公示",
        "",
        ("report_url",),
    ),
    DocumentKind.OWNERSHIP_CERTIFICATE: Kind(
        "ownership_certificate",
        "ownership_certificate/v1",
        "{project[name]}资产所有权证",
        "SQ",
        (Slot("登记机关", "registrar"),),
        "证书",
        "",
    ),
}
