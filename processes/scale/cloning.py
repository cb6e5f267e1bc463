"""Cloning template projects into every village: each template's rows (project, process,
tasks and their links, audit entries, fund movements, agreements, reports, dividend lists,
notifications, sign-offs) are copied with new keys, the target village's region, officials,
operator and households, and every time moved back by one random span per clone, so
deadlines, stalls and the project list's order spread out as a real province's do. The audit
copies are appended to the hash chain in order (``manage.py verify_audit`` passes).
Papers (PDF files) are not cloned."""

import datetime
import hashlib
import random
import re
from collections import Counter
from types import SimpleNamespace

from django.db import transaction
from viewflow.workflow.models import Process, Task

from ground.audit import canonical, entry_content
from ground.models import AuditChainHead, AuditEntry
from permissions.models import Region, User
from workflow.models import CarbonCopy, DeadlineAlert, Delegation, Notification, SignOff

from ..models import (
    AcceptanceRecord,
    Agreement,
    Asset,
    Beneficiary,
    DividendShare,
    DividendYear,
    FundMovement,
    Household,
    MaintenanceReport,
    Operator,
    ProgressReport,
    Project,
    ProjectProcess,
    PublicReport,
    Reimbursement,
)
from .rows import Ids, RowWriter, columns, reset_sequences

TaskLink = Task.previous.through
# (model, how its rows of one template are found), in write order.
TABLES = [
    (Project, lambda t: {"pk": t.project}),
    (Process, lambda t: {"pk": t.process}),
    (ProjectProcess, lambda t: {"pk": t.process}),
    (Task, lambda t: {"process": t.process}),
    (TaskLink, lambda t: {"from_task__process": t.process}),
    (AuditEntry, lambda t: {"project_id": t.project}),
    (Beneficiary, lambda t: {"project": t.project}),
    (Agreement, lambda t: {"project": t.project}),
    (DividendYear, lambda t: {"project": t.project}),
    (DividendShare, lambda t: {"dividend_year__project": t.project}),
    (Reimbursement, lambda t: {"project": t.project}),
    (FundMovement, lambda t: {"project": t.project}),
    (Asset, lambda t: {"project": t.project}),
    (ProgressReport, lambda t: {"project": t.project}),
    (AcceptanceRecord, lambda t: {"project": t.project}),
    (MaintenanceReport, lambda t: {"project": t.project}),
    (PublicReport, lambda t: {"project": t.project}),
    (Notification, lambda t: {"project": t.project}),
    (SignOff, lambda t: {"task__process": t.process}),
    (Delegation, lambda t: {"task__process": t.process}),
    (CarbonCopy, lambda t: {"task__process": t.process}),
    (DeadlineAlert, lambda t: {"task__process": t.process}),
]
MODELS = [model for model, _where in TABLES]
# Keys shared through multi-table inheritance: a ProjectProcess is its Process row.
KEYED = {m for m in MODELS if m._meta.pk.remote_field is None}
BY_LABEL = {m._meta.label_lower: m for m in KEYED} | {"processes.projectprocess": Process}


def _ref(model):
    def ref(value, c):
        return None if value is None else c.bases[model] + c.idx[model][value]

    return ref


def _plan(model):
    """One function per column: (template value, clone context) -> the clone's value."""
    plan = []
    for f in columns(model):
        target = f.related_model if f.is_relation else None
        if f.primary_key and target is None:
            plan.append(_ref(model))
        elif target is not None and target._meta.concrete_model in KEYED:
            plan.append(_ref(target._meta.concrete_model))
        elif target is Region:
            plan.append(lambda v, c: c.regions.get(v, v))
        elif target is User:
            plan.append(lambda v, c: c.users.get(v, v))
        elif target is Operator:
            plan.append(lambda v, c: None if v is None else c.operator)
        elif target is Household:
            plan.append(lambda v, c: c.households.get(v, v))
        elif f.get_internal_type() == "DateTimeField":
            plan.append(lambda v, c: None if v is None else v - c.delta)
        elif f.get_internal_type() == "DateField":
            plan.append(lambda v, c: None if v is None else v - c.days)
        elif (model, f.attname) in SPECIAL:
            plan.append(SPECIAL[model, f.attname])
        else:
            plan.append(lambda v, c: v)
    return plan


def _owner_object(value, c):
    return c.owner_objects.get(value, value)


def _text(value, c):
    return value.replace(c.template_village, c.village_name) if value else value


KEY_MODELS = {"task": Task, "signoff": SignOff, "report": PublicReport}
FLOW_URL = re.compile(r"^(/workflow/flows/\w+/)(\d+)(/\w+/)(\d+)/$")


def _notification_key(value, c):
    """A key such as "task:12" names the task it announces (once per recipient): the clone's task."""
    kind, _colon, pk = value.partition(":")
    model = KEY_MODELS.get(kind)
    return f"{kind}:{_ref(model)(int(pk), c)}" if model and pk.isdigit() else value


def _notification_url(value, c):
    """A task's page, /workflow/flows/project/<process>/<node>/<task>/: the clone's."""
    m = FLOW_URL.match(value or "")
    if m is None:
        return value
    process, task = _ref(Process)(int(m[2]), c), _ref(Task)(int(m[4]), c)
    return f"{m[1]}{process}{m[3]}{task}/"


SPECIAL = {
    (Notification, "key"): _notification_key,
    (Notification, "url"): _notification_url,
    (Task, "owner_permission_obj_pk"): _owner_object,
    (Project, "name"): _text,
    (Project, "scale"): _text,
    (FundMovement, "payee"): lambda v, c: c.strings.get(v, v),
    (AuditEntry, "project_id"): _ref(Project),
}


class Template:
    def __init__(self, project: Project, weight: int):
        self.project, self.weight = project.pk, weight
        self.process = project.process.pk
        self.village = project.village
        self.operator = project.operator_id
        self.rows, self.idx = {}, {}
        for model, where in TABLES:
            names = [f.attname for f in columns(model)]
            query = model._default_manager.filter(**where(self)).order_by("pk")
            self.rows[model] = list(query.values_list(*names))
            if model in KEYED:
                self.idx[model] = {row[0]: i for i, row in enumerate(self.rows[model])}


class Cloner:
    def __init__(self, province, templates, seed: int = 1):
        self.province = province
        self.templates = [Template(p, w) for p, w in templates]
        self.rng = random.Random(seed)
        self.ids = Ids()
        self.writers = {m: RowWriter(m) for m in MODELS}
        self.plans = {m: _plan(m) for m in MODELS}
        audit_fields = [f.attname for f in columns(AuditEntry)]
        self.audit_at = {name: i for i, name in enumerate(audit_fields)}
        self.per_village, self.made = {}, 0
        self.chosen = Counter()  # template project pk -> clones made of it

    def _context(self, template: Template, village: Region, ordinal: int):
        p = self.province
        tv = template.village
        regions = {tv.pk: village.pk, tv.parent_id: village.parent_id}
        regions[tv.parent.parent_id] = village.parent.parent_id
        users = {}
        for region_pk, target_pk in regions.items():
            for code, user_pk in p.roles_at[region_pk]:
                users[user_pk] = p.holders[code, target_pk]
        operator = p.operators[village.parent_id]
        template_operator = p.operators[tv.parent_id]
        users[p.holders["operator", template_operator.pk]] = p.holders["operator", operator.pk]
        owner_objects = {str(k): str(v) for k, v in regions.items()}
        owner_objects[str(template_operator.pk)] = str(operator.pk)
        mine, theirs = p.households[tv.pk], p.households[village.pk]
        households = {}
        strings = {
            tv.parent.name: village.parent.name,
            template_operator.name: operator.name,
            f"{tv.name}集体经济组织": f"{village.name}集体经济组织",
        }
        for i, (pk, name) in enumerate(mine):
            target_pk, target_name = theirs[(ordinal * 4 + i) % len(theirs)]
            households[pk] = target_pk
            strings[name] = target_name
        delta = datetime.timedelta(seconds=self.rng.randrange(0, 30 * 86400))
        bases = {m: self.ids.take(m, len(template.rows[m])) for m in KEYED}
        return SimpleNamespace(
            bases=bases,
            idx=template.idx,
            regions=regions,
            users=users,
            operator=operator.pk,
            households=households,
            strings=strings,
            owner_objects=owner_objects,
            delta=delta,
            days=datetime.timedelta(days=delta.days),
            template_village=tv.name,
            village_name=village.name,
        )

    def _audit_row(self, row: list, c) -> tuple:
        at = self.audit_at
        model = BY_LABEL.get(row[at["object_type"]])
        if model is not None:
            row[at["object_id"]] = str(c.bases[model] + c.idx[model][int(row[at["object_id"]])])
        elif row[at["object_type"]] == "permissions.user":
            old = int(row[at["object_id"]])
            row[at["object_id"]] = str(c.users.get(old, old))
        actor = row[at["actor_id"]]
        if actor in self.province.names:
            row[at["actor_name"]] = self.province.names[actor]
        self.seq += 1
        row[at["seq"]] = self.seq
        row[at["prev_hash"]] = self.hash
        entry = SimpleNamespace(**{name: row[i] for name, i in at.items()})
        entry_hash = hashlib.sha256((self.hash + canonical(entry_content(entry))).encode())
        self.hash = row[at["hash"]] = entry_hash.hexdigest()
        return tuple(row)

    def clone(self, template: Template, village: Region, ordinal: int) -> None:
        c = self._context(template, village, ordinal)
        for model in MODELS:
            plan, writer = self.plans[model], self.writers[model]
            for row in template.rows[model]:
                values = [fn(v, c) for fn, v in zip(plan, row, strict=True)]
                writer.add(self._audit_row(values, c) if model is AuditEntry else tuple(values))

    def run(self, projects: int, progress=None) -> int:
        """Clone ``projects`` projects over the province's villages, round robin, each a
        template drawn by weight. Returns the number written."""
        villages = self.province.villages
        weights = [t.weight for t in self.templates]
        per_village = self.per_village
        with transaction.atomic():
            head = AuditChainHead.objects.select_for_update().get_or_create(pk=1)[0]
            self.seq, self.hash = head.seq, head.hash
            self.ids = Ids()
            for n in range(projects):
                village = villages[(self.made + n) % len(villages)]
                template = self.rng.choices(self.templates, weights)[0]
                self.chosen[template.project] += 1
                ordinal = per_village[village.pk] = per_village.get(village.pk, 0) + 1
                self.clone(template, village, ordinal)
                if progress and (n + 1) % 5000 == 0:
                    progress(n + 1)
            for writer in self.writers.values():
                writer.flush()
            AuditChainHead.objects.filter(pk=1).update(seq=self.seq, hash=self.hash)
            reset_sequences(MODELS)
        self.made += projects
        return projects
