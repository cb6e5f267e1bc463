"""Task queue: viewflow's stock guardian queue against Qiyue's region-scoped queue.

Set-up as in ../shared/MEASUREMENTS.md: one project per process, each with one open review
task. The stock side gives the task a guardian object permission on its *project*, granted
to the township's group project by project; Qiyue's side names the township (a Region) and
the role, and the user holds that role at the township. A page is a count plus the first
20 rows for a township official, built in a throwaway database.
"""

import statistics
import time

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 20, 25


def _build(projects: int):
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission
    from viewflow.workflow.models import Process, Task
    from viewflow.workflow.status import STATUS

    from permissions import actions as grants
    from permissions.models import Region, User
    from permissions.roles import TOWNSHIP_WORK_STATION, Level
    from processes.flows import ProjectFlow
    from processes.models import Project, ProjectProcess

    county = Region.objects.create(name="基准县", level=Level.COUNTY)
    townships = [
        Region.objects.create(name=f"镇{t}", level=Level.TOWNSHIP, parent=county)
        for t in range(TOWNSHIPS)
    ]
    villages = [
        Region.objects.create(name=f"村{t}-{v}", level=Level.VILLAGE, parent=township)
        for t, township in enumerate(townships)
        for v in range(VILLAGES_PER_TOWNSHIP)
    ]
    creator = User.objects.create(username="creator")
    official = User.objects.create(username="township_official")
    grants.grant_role(None, official, TOWNSHIP_WORK_STATION, townships[0])
    group = Group.objects.create(name="镇0 审核组")
    official.groups.add(group)

    project_ct = ContentType.objects.get_for_model(Project)
    region_ct = ContentType.objects.get_for_model(Region)
    review_perm, _ = Permission.objects.get_or_create(
        codename="review_project", content_type=project_ct, defaults={"name": "Review project"}
    )
    Project.objects.bulk_create(
        Project(
            name=f"项目{i}",
            industry="种植",
            village=villages[i % len(villages)],
            mode="direct_subsidy",
            funds_amount="10000.00",
            created_by=creator,
        )
        for i in range(projects)
    )
    all_projects = list(Project.objects.select_related("village").order_by("pk"))
    flow_ref = ProjectFlow
    # Multi-table inheritance rules out bulk_create: parent rows first, child rows by SQL.
    bases = Process.objects.bulk_create(
        Process(flow_class=flow_ref, status="NEW") for _ in all_projects
    )
    table = ProjectProcess._meta.db_table
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} (process_ptr_id, project_id, decision, decision_reason, decided_by) "
            "VALUES (%s, %s, '', '', '')",
            [(base.pk, p.pk) for base, p in zip(bases, all_projects, strict=True)],
        )
    processes = dict(ProjectProcess.objects.values_list("project_id", "pk"))
    node = ProjectFlow.instance.township_review
    stock, ours = [], []
    for p in all_projects:
        township_id = p.village.parent_id
        common = {
            "process_id": processes[p.pk],
            "flow_task": node,
            "flow_task_type": "HUMAN",
            "status": STATUS.NEW,
        }
        stock.append(
            Task(
                **common,
                owner_permission="processes.review_project",
                owner_permission_content_type=project_ct,
                owner_permission_obj_pk=str(p.pk),
            )
        )
        ours.append(
            Task(
                **common,
                owner_permission=TOWNSHIP_WORK_STATION.permission,
                owner_permission_content_type=region_ct,
                owner_permission_obj_pk=str(township_id),
            )
        )
    Task.objects.bulk_create(stock, batch_size=2000)
    GroupObjectPermission.objects.bulk_create(
        GroupObjectPermission(
            permission=review_perm, content_type=project_ct, object_pk=str(p.pk), group=group
        )
        for p in all_projects
        if p.village.parent_id == townships[0].pk
    )
    return official, ours


def _page(queryset):
    total = queryset.count()
    rows = list(queryset.order_by("-created")[:20])
    return total, rows


def _measure(make_queryset, user_loader, repeats: int) -> dict:
    times, queries, sql_bytes, total = [], 0, 0, 0
    for _ in range(repeats):
        user = user_loader()  # a fresh user per page: nothing cached across requests
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            total, _rows = _page(make_queryset(user))
            times.append(time.perf_counter() - started)
        queries = len(ctx.captured_queries)
        sql_bytes = sum(len(q["sql"]) for q in ctx.captured_queries)
    return {
        "median_ms": round(statistics.median(times) * 1000, 1),
        "queries": queries,
        "sql_kb": round(sql_bytes / 1024, 1),
        "rows_in_queue": total,
    }


def run(projects: int = 10_000, repeats: int = 5) -> dict:
    """Build ``projects`` projects in a throwaway test database and time both queues."""
    from viewflow.workflow.models import Task

    from permissions.models import User
    from processes.flows import ProjectFlow
    from workflow.tasks import ScopedTask

    creation = connection.creation
    old_name = connection.settings_dict["NAME"]
    creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        with transaction.atomic():
            started = time.perf_counter()
            official, region_tasks = _build(projects)
            build_s = time.perf_counter() - started

            def load():
                return User.objects.get(pk=official.pk)

            # Each queue is timed over the same projects with only its own kind of task.
            stock = _measure(lambda user: Task.objects.queue([ProjectFlow], user), load, repeats)
            Task.objects.all().delete()
            Task.objects.bulk_create(region_tasks, batch_size=2000)
            qiyue = _measure(
                lambda user: ScopedTask.objects.queue([ProjectFlow], user), load, repeats
            )
            transaction.set_rollback(True)
    finally:
        creation.destroy_test_db(old_name, verbosity=0)
    assert stock["rows_in_queue"] == qiyue["rows_in_queue"], (stock, qiyue)
    return {
        "projects": projects,
        "permitted_to_user": qiyue["rows_in_queue"],
        "database": connection.vendor,
        "build_s": round(build_s, 1),
        "stock_viewflow_guardian_queue": stock,
        "qiyue_region_queue": qiyue,
        "ratio_stock_over_qiyue": round(stock["median_ms"] / max(qiyue["median_ms"], 0.01), 1),
    }


def bench(options):
    """``make bench`` entry: 10,000 projects (2,000 with --quick)."""
    projects = getattr(options, "projects", None) or (2_000 if options.quick else 10_000)
    results = run(projects=projects)
    targets = {"queue_ratio_min": 5.0, "queue_qiyue_queries_max": 10}
    met = {
        "queue_ratio_min": results["ratio_stock_over_qiyue"] >= targets["queue_ratio_min"],
        "queue_qiyue_queries_max": results["qiyue_region_queue"]["queries"]
        <= targets["queue_qiyue_queries_max"],
    }
    return results, targets, met
