"""The sample the PDF benchmark renders: a realistic entrustment agreement (委托经营协议) of
5–6 A4 pages, deterministic for a given sequence number: three parties with credit codes and
ID numbers, amounts in Chinese capitals and figures, 24 clauses, a table of the households
that share the dividend, and names outside GB 2312 (王喆, 李堃) for the rare-character fallback.
"""

import html
import random
from decimal import Decimal

from ground.numerals import amount_in_capitals, amount_in_figures

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红梅琴云莲珍国建文辉福贵荣昌兴春秋"
# Outside GB 2312: they exercise the fallback font (GB 18030 / Unicode extension A).
RARE_NAMES = ("王喆", "李堃", "张珺", "刘犇", "陈䶮")


def _id_number(rng: random.Random) -> str:
    body = f"5224{rng.randint(21, 29):02d}{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}"
    body += f"{rng.randint(1, 28):02d}{rng.randint(100, 999)}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]
    return body + check


def _credit_code(rng: random.Random) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "93520524" + "".join(rng.choice(alphabet) for _ in range(10))


CLAUSES = (
    (
        "一、项目概况",
        (
            "（一）项目名称",
            "{project}。项目实施地点为{village}，由{township}人民政府组织实施，"
            "{county}扶贫开发领导小组批准立项，批复文号为织扶领〔2026〕{seq}号。",
        ),
        (
            "（二）资金规模",
            "本项目使用财政衔接推进乡村振兴补助资金{funds_cap}（{funds}），"
            "全部用于购置生产设施设备、建设标准化圈舍及配套设施，不得挪作他用。"
            "资金按照项目实施进度分期拨付，首期拨付比例不超过百分之三十。",
        ),
    ),
    (
        "二、委托经营方式",
        (
            "（一）委托内容",
            "甲方将项目形成的资产委托乙方经营管理，乙方按照本协议约定自主经营、自负盈亏，"
            "并承担资产保值增值责任。资产所有权归{village}村集体经济组织所有，"
            "乙方不得以任何形式转让、抵押、出租或者变相处置。",
        ),
        (
            "（二）委托期限",
            "委托经营期限为{years}年，自{start}起至{end}止。期满后经甲方组织评估，"
            "乙方经营良好、履约守信的，可以优先续签；评估不合格的，资产由甲方收回。",
        ),
        (
            "（三）经营要求",
            "乙方应当建立健全财务管理制度，单独设立项目资产台账，"
            "每季度向甲方报送经营情况和财务报表，接受甲方、村民监督委员会和审计部门的监督检查。",
        ),
    ),
    (
        "三、利益联结与分红",
        (
            "（一）保底收益",
            "乙方每年按照委托资金总额的百分之{rate}向甲方支付固定收益，"
            "即每年{dividend_cap}（{dividend}），此后每年递增百分之一，"
            "于每年十二月三十一日前一次性支付至甲方指定账户。",
        ),
        (
            "（二）收益分配",
            "甲方收到收益后，按照村民代表大会通过的分配方案，将不低于百分之七十的收益"
            "分配给本协议附表所列脱贫户和监测户，其余部分用于村内公益事业和小型公益岗位补助。"
            "分配结果应当在村务公开栏公示不少于七日。",
        ),
        (
            "（三）就业带动",
            "乙方应当优先吸纳项目所在村脱贫劳动力务工，每年带动务工不少于{workers}人，"
            "务工报酬按月足额发放，不得低于当地最低工资标准。",
        ),
    ),
    (
        "四、资产管护",
        (
            "（一）管护责任",
            "乙方负责资产的日常维护、保养和安全管理，因管理不善造成资产损毁灭失的，"
            "由乙方按照资产原值予以赔偿。",
        ),
        (
            "（二）保险与担保",
            "乙方应当为项目资产购买财产保险，并提供不低于委托资金总额的有效担保物，"
            "担保物清单作为本协议附件。",
        ),
    ),
    (
        "五、甲方的权利和义务",
        (
            "（一）监督权",
            "甲方有权监督乙方的经营活动和资产使用情况，有权查阅与项目有关的账簿、合同和票据。",
        ),
        (
            "（二）协调义务",
            "甲方应当协调解决项目实施过程中的用地、用水、用电和道路等问题，"
            "为乙方依法经营创造良好环境。",
        ),
        (
            "（三）指导义务",
            "甲方应当组织技术培训和市场信息服务，帮助乙方提高经营管理水平。",
        ),
    ),
    (
        "六、乙方的权利和义务",
        (
            "（一）经营自主权",
            "乙方在遵守法律法规和本协议约定的前提下，享有生产经营自主权。",
        ),
        (
            "（二）按时支付收益",
            "乙方应当按时足额支付保底收益，逾期支付的，每逾期一日按照应付金额的万分之五支付违约金。",
        ),
        (
            "（三）信息公开",
            "乙方应当配合甲方做好项目公示公告工作，如实提供经营和分红数据，接受群众监督。",
        ),
    ),
    (
        "七、违约责任",
        (
            "（一）乙方违约",
            "乙方擅自改变资产用途、转让或者抵押资产的，甲方有权解除本协议，收回全部资产，"
            "并要求乙方赔偿由此造成的损失；情节严重的，依法追究相关责任。",
        ),
        (
            "（二）甲方违约",
            "甲方无正当理由干预乙方正常经营造成损失的，应当依法承担赔偿责任。",
        ),
        (
            "（三）不可抗力",
            "因自然灾害、重大动物疫病等不可抗力导致协议无法履行的，双方互不承担违约责任，"
            "但应当及时通知对方并采取措施减少损失。",
        ),
    ),
    (
        "八、争议解决",
        (
            "（一）协商调解",
            "因履行本协议发生争议的，双方应当友好协商解决；协商不成的，可以申请{township}"
            "人民调解委员会调解。",
        ),
        (
            "（二）诉讼",
            "调解不成的，任何一方均可向项目所在地人民法院提起诉讼。",
        ),
    ),
    (
        "九、其他",
        (
            "（一）未尽事宜",
            "本协议未尽事宜，由双方另行协商签订补充协议，补充协议与本协议具有同等法律效力。",
        ),
        (
            "（二）协议份数",
            "本协议一式六份，甲乙双方各执二份，{county}乡村振兴局、{township}财政所各执一份，"
            "自双方签字盖章之日起生效。",
        ),
    ),
)


def sample_agreement_html(seq: int = 0, households: int = 24) -> str:
    """One household-dividend entrustment agreement, deterministic for a given ``seq``."""
    rng = random.Random(seq)
    county, township = "织金县", rng.choice(("珠藏镇", "桂果镇", "八步街道", "少普镇"))
    village = rng.choice(("乐丰村", "大寨村", "牛场村", "新华村", "官寨村"))
    funds = Decimal(rng.randrange(300_000, 2_000_000, 1000))
    rate = rng.choice((5, 6, 8))
    dividend = funds * rate / 100
    start_year = 2026
    values = {
        "county": county,
        "township": township,
        "village": village,
        "project": f"{village}生态肉牛养殖产业扶贫项目",
        "seq": 100 + seq % 900,
        "funds": amount_in_figures(funds),
        "funds_cap": amount_in_capitals(funds),
        "rate": rate,
        "dividend": amount_in_figures(dividend),
        "dividend_cap": amount_in_capitals(dividend),
        "years": 5,
        "start": f"{start_year}年3月1日",
        "end": f"{start_year + 5}年2月28日",
        "workers": rng.randint(8, 30),
    }
    legal_rep = rng.choice(RARE_NAMES)
    parts = [
        f'<h1 class="doc-title">{html.escape(values["project"])}<br>委托经营协议</h1>',
        f'<p class="doc-number">织{township[:2]}扶协〔{start_year}〕{values["seq"]}号</p>',
        '<dl class="parties">',
        f"<dt>甲方（委托方）：</dt><dd>{county}{township}人民政府</dd>",
        f"<dt>统一社会信用代码：</dt><dd>{_credit_code(rng)}</dd>",
        f"<dt>法定代表人：</dt><dd>{rng.choice(SURNAMES)}{rng.choice(GIVEN)}{rng.choice(GIVEN)}</dd>",
        f"<dt>乙方（受托方）：</dt><dd>{county}{village}种养殖农民专业合作社</dd>",
        f"<dt>统一社会信用代码：</dt><dd>{_credit_code(rng)}</dd>",
        f"<dt>法定代表人：</dt><dd>{legal_rep}（身份证号：{_id_number(rng)}）</dd>",
        "</dl>",
        "<p>为巩固拓展脱贫攻坚成果，发展壮大村级集体经济，带动脱贫户和监测户持续增收，"
        "根据《中华人民共和国民法典》和财政衔接推进乡村振兴补助资金管理的有关规定，"
        "甲乙双方本着平等自愿、诚实守信、互利共赢的原则，经协商一致，订立本协议。</p>",
    ]
    for heading, *subsections in CLAUSES:
        parts.append(f"<h2>{heading}</h2>")
        for subheading, text in subsections:
            parts.append(f"<h3>{subheading}</h3>")
            parts.append(f"<p>{html.escape(text.format(**values))}</p>")
    parts.append("<h2>附表：受益农户名册</h2>")
    parts.append(
        "<table><thead><tr><th>序号</th><th>户主姓名</th><th>身份证号</th>"
        "<th>人口</th><th>年分红（元）</th></tr></thead><tbody>"
    )
    share = dividend * Decimal("0.7") / households
    for row in range(households):
        name = (
            RARE_NAMES[row % len(RARE_NAMES)]
            if row % 7 == 3
            else rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)[: rng.randint(0, 1)]
        )
        parts.append(
            f"<tr><td>{row + 1}</td><td>{name}</td><td>{_id_number(rng)}</td>"
            f"<td>{rng.randint(1, 7)}</td><td>{share:,.2f}</td></tr>"
        )
    parts.append("</tbody></table>")
    parts.append(
        '<div class="signatures">'
        f'<div class="party"><p>甲方（盖章）：{county}{township}人民政府</p>'
        "<p>法定代表人（签字）：</p>"
        f'<p class="date">{start_year}年2月{rng.randint(1, 27)}日</p>'
        '<div class="seal"></div></div>'
        f'<div class="party"><p>乙方（盖章）：{county}{village}种养殖农民专业合作社</p>'
        f"<p>法定代表人（签字）：{legal_rep}</p>"
        f'<p class="date">{start_year}年2月{rng.randint(1, 27)}日</p>'
        '<div class="seal"></div></div>'
        "</div>"
    )
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f"<title>{html.escape(values['project'])}委托经营协议</title></head>"
        f"<body>{body}</body></html>"
    )
