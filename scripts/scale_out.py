"""Drive the demo county's journeys through the real pages of several Qiyue instances at once.

    python scripts/scale_out.py --base http://127.0.0.1:8101 --base http://127.0.0.1:8102 \
        --projects 4 --threads 4

Each project is walked in a thread of its own, as its officials would in a browser: sign in,
start the project with its planning meeting, then for every step find the task on the
project's page, claim it (签收), open its form and post it; requests alternate between the
instances. Stdlib only (urllib, cookie sessions, CSRF from the cookie). One step is also
claimed twice at the same moment, on two instances, to see one claim win.

Afterwards (``--check``, needs the instances' DATABASE_URL in the environment) it looks in
the database: each project's finished steps are exactly the flow's, none twice; one open
step where the walk stopped; no document version produced twice; every paper READY (waiting
for the Celery workers); ``manage.py verify_audit`` passes. Prints JSON figures and exits 1
on any failure. Used by scripts/scale-out; independent of the test suite.
"""

import argparse
import datetime
import html
import json
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from scale_out_http import Failure, Site, expect, text_of  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# The equity-dividend path up to the payment, with who does each step in the demo county
# (README "Demo accounts"); {village} is the project's village secretary.
STEPS = [
    ("application", "{village}"),
    ("township_review", "zhuzang_station"),
    ("public_notice", "{village}"),
    ("county_review", "zj_poverty_office"),
    ("leading_group_approval", "zj_leading_group"),
    ("funds_issue", "zj_finance"),
    ("entrustment_agreement", "zhuzang_lead"),
    ("benefit_linkage_agreements", "coop_lefeng"),
    ("progress_report", "coop_lefeng"),
    ("township_supervision", "zhuzang_station"),
    ("village_self_check", "{village}"),
    ("township_acceptance", "zhuzang_station"),
    ("county_acceptance", "zj_poverty_office"),
    ("reimbursement", "zhuzang_finance"),
    ("reimbursement_poverty_review", "zj_poverty_office"),
    ("reimbursement_finance_review", "zj_finance"),
    ("payment", "zj_finance"),
]
VILLAGES = ["zhuzang_lefeng_secretary", "zhuzang_dazhai_secretary"]
PANEL = {"finance": "zj_finance", "discipline": "zj_discipline"}  # 会签 seats and members
RACED_STEP = "county_review"  # claimed from two instances at once


def day(days_ago: int) -> str:
    return (datetime.date.today() - datetime.timedelta(days=days_ago)).isoformat()


def options(page: str, name: str) -> list[str]:
    """The values a select (viewflow's vf-field-select) or checkbox group offers."""
    values = re.findall(rf'<input[^>]*name="{name}"[^>]*value="([^"]+)"', page)
    element = re.search(rf'<vf-field-select[^>]*name="{name}"[^>]*>', page)
    if element:
        groups = re.search(r'optgroups="([^"]*)"', element.group(0))
        for group in json.loads(html.unescape(groups.group(1))) if groups else []:
            value = group["options"]["value"]
            if value:
                values.append(str(value))
    return values


def step_data(node: str, page: str, project: dict) -> dict:
    review = {"decision": "approve", "reason": "同意"}
    funds = project["funds"]
    data = {
        "application": {
            "implementation_plan": f"{project['name']}实施方案：选址、建设内容、进度安排。",
            "performance_targets": "带动脱贫户稳定增收。",
            "commitment_signed": "on",
            "households": options(page, "households")[:3],
        },
        "township_review": {
            **review,
            "responsible_leader": (options(page, "responsible_leader") or [""])[0],
            "team": "乡扶贫工作站、农业服务中心、包村干部",
            "policy_set": "《织金县财政专项扶贫资金管理办法》",
        },
        "public_notice": {
            **review,
            "notice_start": day(20),
            "notice_end": day(10),
            "notice_objections": "",
        },
        "county_review": review,
        "leading_group_approval": {
            **review,
            "approval_doc_no": f"织扶领〔2026〕{project['process']}号",
            "approved_on": day(9),
        },
        "funds_issue": {
            "funds_doc_no": f"织财农〔2026〕{project['process']}号",
            "funds_issued": funds,
            "funds_issued_on": day(8),
        },
        "entrustment_agreement": {
            "signed_on": day(7),
            "starts_on": day(7),
            "term_years": "3",
            "first_year_rate": "6.00",
            "yearly_increase": "0.50",
            "collateral_value": f"{float(funds) + 10000:.2f}",
            "collateral_description": "养殖场房屋及设备抵押",
            "household_share": "75.00",
            "manager_name": "王建国",
        },
        "benefit_linkage_agreements": {"signed_on": day(6), "all_signed": "on"},
        "progress_report": {"percent_complete": "100", "description": "建设完成，设备已安装调试。"},
        "township_supervision": review,
        "village_self_check": {"conclusion": "村级自验合格。"},
        "township_acceptance": {**review, "conclusion": "乡镇初验合格。"},
        "county_acceptance": {**review, "conclusion": "县级验收合格。", "accepted_on": day(3)},
        "reimbursement": {"amount": funds, "expense_details": "设备采购、基础设施建设。"},
        "reimbursement_poverty_review": review,
        "reimbursement_finance_review": review,
        "payment": {"voucher_no": f"PZ-{project['process']:05d}", "paid_on": day(1)},
    }
    return data[node]


def open_task(session, process: int, node: str) -> int:
    """The open task of ``node`` as the project's page links it (the newest such link)."""
    status, _, page = session.get(f"/workflow/flows/project/{process}/")
    expect(status, {200}, f"project page {process}")
    found = [int(t) for t in re.findall(rf"/workflow/flows/project/{process}/{node}/(\d+)/", page)]
    if not found:
        raise Failure(f"process {process}: no {node} task on the project page")
    return max(found)


def claim(session, process, node, task, site, race=False):
    url = f"/workflow/flows/project/{process}/{node}/{task}/assign/"
    if not race:
        status, _, _ = session.post(url, {})
        expect(status, {302}, f"claim {node} of {process}")
        return None
    # The same official presses 签收 on both instances at once: one claim must win.
    barrier = threading.Barrier(len(site.bases))

    def press(base):
        barrier.wait()
        return session.post(url, {}, base=base, retry=False)[0]

    with ThreadPoolExecutor(len(site.bases)) as pool:
        statuses = sorted(pool.map(press, site.bases))
    return statuses


def countersign(site, session, task, name):
    """会签: seat the county acceptance panel, then every member signs 同意 from 待我签署."""
    status, _, page = session.get(f"/approvals/tasks/{task}/panel/")
    expect(status, {200}, f"panel page of task {task}")
    seats = {f"seat_{seat}": user_pk(page, f"seat_{seat}", who) for seat, who in PANEL.items()}
    status, _, _ = session.post(
        f"/approvals/tasks/{task}/panel/", {**seats, "reason": "组成县级验收小组"}
    )
    expect(status, {302}, f"seat the panel of task {task}")
    for username in PANEL.values():
        member = site.session(username)
        status, _, inbox = member.get("/approvals/")
        expect(status, {200}, f"待我签署 of {username}")
        rows = re.findall(r'<tr class="qy-sign-off">(.*?)</tr>', inbox, re.S)
        mine = [re.search(r"/approvals/sign-offs/(\d+)/", r).group(1) for r in rows if name in r]
        if len(mine) != 1:
            raise Failure(f"{username}: {len(mine)} sign-off requests for {name}, expected 1")
        status, _, _ = member.get(f"/approvals/sign-offs/{mine[0]}/")
        expect(status, {200}, f"sign-off page of {username}")
        status, _, _ = member.post(
            f"/approvals/sign-offs/{mine[0]}/", {"decision": "agree", "opinion": "同意验收。"}
        )
        expect(status, {302}, f"{username} signs for {name}")


def user_pk(page, field, username):
    """A panel seat's option for the official ``username`` (the option labels name them)."""
    names = {"zj_finance": "陈堃", "zj_discipline": "吴红"}
    element = re.search(rf'<vf-field-select[^>]*name="{field}"[^>]*>', page)
    if element is None:
        element = re.search(rf'<select[^>]*name="{field}".*?</select>', page, re.S)
        if element is None:
            raise Failure(f"no {field} on the panel page")
        for value, label in re.findall(
            r'<option value="(\d+)"[^>]*>([^<]*)</option>', element.group(0)
        ):
            if names[username] in label:
                return value
        raise Failure(f"{username} is not offered for {field}")
    groups = re.search(r'optgroups="([^"]*)"', element.group(0))
    for group in json.loads(html.unescape(groups.group(1))):
        if names[username] in group["options"]["label"]:
            return str(group["options"]["value"])
    raise Failure(f"{username} is not offered for {field}")


def walk(site, number, until, race):
    """One project from its planning meeting to ``until``; returns what was done."""
    secretary = VILLAGES[number % len(VILLAGES)]
    starter = site.session(secretary)
    name = f"扩容演练项目{os.getpid()}-{number}"
    status, _, page = starter.get("/workflow/flows/project/start/")
    expect(status, {200}, "start page")
    village = re.search(r'name="village" value="(\d+)"', page)
    operator = options(page, "operator")
    project = {"name": name, "funds": "300000.00", "steps": [], "race": None}
    status, location, _ = starter.post(
        "/workflow/flows/project/start/",
        {
            "name": name,
            "industry": "生猪养殖",
            "village": village.group(1) if village else options(page, "village")[0],
            "mode": "equity_dividend",
            "funds_amount": project["funds"],
            "operator": operator[0],
            "scale": "100头",
            "term_years": "3",
            "meeting_date": day(30),
            "meeting_attendees": "40",
            "meeting_minutes": "召开项目谋划宣传会议，群众一致同意。",
            "households_wishes": "发展生猪养殖。",
        },
    )
    expect(status, {302}, "start a project")
    process = int(re.search(r"/workflow/flows/project/(\d+)/", location).group(1))
    project["process"] = process
    for node, holder in STEPS:
        user = site.session(holder.format(village=secretary))
        task = open_task(user, process, node)
        project["race"] = (
            claim(user, process, node, task, site, race=True)
            if race and node == RACED_STEP
            else project["race"]
        )
        if not (race and node == RACED_STEP):
            claim(user, process, node, task, site)
        if node == "county_acceptance":
            countersign(site, user, task, name)
        execute = f"/workflow/flows/project/{process}/{node}/{task}/execute/"
        status, _, page = user.get(execute)
        expect(status, {200}, f"open {node} of {process}")
        status, _, answer = user.post(execute, step_data(node, page, project))
        if status != 302:
            errors = re.findall(r'(?:error|errors)="([^"]+)"', answer)[:3]
            raise Failure(f"{node} of {process}: HTTP {status} {errors} {text_of(answer)[:300]}")
        project["steps"].append(node)
        if node == until:
            break
    return project


# --- Checks in the database ------------------------------------------------------------


def check_database(projects, until, paper_timeout):
    sys.path.insert(0, REPO)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiyue.settings")
    import django

    django.setup()
    from viewflow.workflow.status import STATUS

    from documents.models import Batch, DocumentVersion
    from processes.models import Project
    from workflow.tasks import ScopedTask

    problems = []
    expected = [node for node, _ in STEPS]
    expected = expected[: expected.index(until) + 1]
    processes = [p["process"] for p in projects]
    for process in processes:
        human = ScopedTask.objects.filter(process_id=process, flow_task_type="HUMAN")
        done = [
            t.flow_task.name
            for t in human.filter(status=STATUS.DONE).order_by("finished", "pk")
            if t.flow_task.name != "start"
        ]
        if done != expected:
            problems.append(f"process {process}: finished steps {done}, expected {expected}")
        open_ = human.filter(status__in=[STATUS.NEW, STATUS.ASSIGNED]).count()
        if open_ != 1:  # the step after the walk's last one waits, once
            problems.append(f"process {process}: {open_} open steps, expected 1")
    project_ids = list(Project.objects.filter(process__in=processes).values_list("pk", flat=True))
    versions = DocumentVersion.objects.filter(document__project_id__in=project_ids)
    deadline = time.monotonic() + paper_timeout
    while time.monotonic() < deadline:
        batches_open = Batch.objects.filter(
            project_id__in=project_ids, finished_at__isnull=True
        ).exists()
        if not batches_open and not versions.exclude(status=DocumentVersion.Status.READY).exists():
            break
        time.sleep(2)
    not_ready = list(
        versions.exclude(status=DocumentVersion.Status.READY).values_list(
            "document__number", "number", "status", "signature_count"
        )
    )
    if not_ready:
        problems.append(f"papers not READY after {paper_timeout}s: {not_ready}")
    seen = {}
    for doc, edition, signatures in versions.values_list(
        "document_id", "edition_id", "signature_count"
    ):
        seen[doc, edition, signatures] = seen.get((doc, edition, signatures), 0) + 1
    doubled = {k: n for k, n in seen.items() if n > 1}
    if doubled:
        problems.append(
            f"document versions produced twice (document, edition, signatures): {doubled}"
        )
    batches = Batch.objects.filter(project_id__in=project_ids)
    for batch in batches:
        if batch.failed or batch.done != batch.total or not batch.combined:
            problems.append(
                f"batch {batch.pk}: {batch.done}/{batch.total} done, {batch.failed} failed"
            )
    audit = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    if audit.returncode != 0:
        problems.append(f"verify_audit: {audit.stdout.strip()} {audit.stderr.strip()[-500:]}")
    return {
        "papers_ready": versions.filter(status=DocumentVersion.Status.READY).count(),
        "papers_total": versions.count(),
        "batches": batches.count(),
        "verify_audit": (audit.stdout.strip() or audit.stderr.strip()).splitlines()[-1:],
        "problems": problems,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", action="append", required=True, help="an instance's URL")
    parser.add_argument("--projects", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--until", default=STEPS[-1][0], choices=[n for n, _ in STEPS])
    parser.add_argument("--check", action="store_true", help="check the database afterwards")
    parser.add_argument("--paper-timeout", type=int, default=600)
    args = parser.parse_args(argv)

    site = Site([b.rstrip("/") for b in args.base])
    started = time.monotonic()
    projects, failures = [], []
    with ThreadPoolExecutor(args.threads) as pool:
        futures = [
            pool.submit(walk, site, n, args.until, race=(n == 0)) for n in range(args.projects)
        ]
        for future in futures:
            try:
                projects.append(future.result())
            except Exception as error:  # noqa: BLE001 - every failure is reported, then exit 1
                failures.append(f"{type(error).__name__}: {error}")
    walked = time.monotonic() - started
    stats = site.stats
    race = next((p["race"] for p in projects if p["race"]), None)
    report = {
        "instances": stats.by_base,
        "projects": len(projects),
        "steps_done": sum(len(p["steps"]) for p in projects),
        "requests": len(stats.times),
        "statuses": stats.by_status,
        "errors": failures,
        "seconds": round(walked, 1),
        "request_ms": {
            "median": round(statistics.median(stats.times) * 1000) if stats.times else None,
            "p95": round(sorted(stats.times)[int(0.95 * (len(stats.times) - 1))] * 1000)
            if stats.times
            else None,
            "max": round(max(stats.times) * 1000) if stats.times else None,
        },
        "retried_409": stats.retries,
        "raced_claim_statuses": race,
    }
    if race is not None and race.count(302) < 1:
        failures.append(f"raced claim: no claim succeeded {race}")
    if args.check:
        checked_at = time.monotonic()
        report["database"] = check_database(projects, args.until, args.paper_timeout)
        report["papers_wait_seconds"] = round(time.monotonic() - checked_at, 1)
        failures += report["database"]["problems"]
    unexpected = {s: n for s, n in stats.by_status.items() if s[0] == "5"}
    if unexpected:
        failures.append(f"server errors: {unexpected}")
    report["ok"] = not failures and len(projects) == args.projects
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
