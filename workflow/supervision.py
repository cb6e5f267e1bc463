"""Supervision acts: the deadline sweep (reminder → overdue → escalation) and urging (催办).

Each act is one function that runs in a transaction, writes its audit entry and notifies.
The sweep is run by ``manage.py sweep_deadlines`` (cron) or by Celery beat when a broker
is configured (qiyue/celery.py); it takes ``today`` so it can be run for any day. Then it
runs the hooks the shell registers (``settings.QIYUE_SWEEP_HOOKS``: e.g. signed papers
whose producer stopped are taken up again), each reporting counts.

Idempotent: a :class:`~workflow.models.DeadlineAlert` row per (task, level) is written in
the same transaction as the act, under a unique constraint, so no reminder, overdue mark
or escalation is ever sent twice for the same task, however often the sweep runs.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from ground import audit
from ground.acts import Act

from .deadlines import (
    DUE_SOON,
    ESCALATED,
    LIVE,
    OVERDUE,
    deadlines_of,
    holders_of,
    save_clocks,
    superiors_of,
    supervisors_of,
)
from .models import DeadlineAlert
from .notifications import Kind, notify
from .subjects import region_of, region_related, served_flows, subject_of, task_lookup
from .tasks import ScopedTask

log = logging.getLogger(__name__)

Level = DeadlineAlert.Level
# The levels a deadline status has reached, in the order they are acted on.
LEVELS_REACHED = {
    DUE_SOON: (Level.REMINDER,),
    OVERDUE: (Level.REMINDER, Level.OVERDUE),
    ESCALATED: (Level.REMINDER, Level.OVERDUE, Level.ESCALATION),
}


class UrgeNotAllowed(PermissionError):
    pass


@dataclass
class SweepResult:
    reminders: int = 0
    overdue: int = 0
    escalations: int = 0
    skipped: list = field(default_factory=list)  # task ids the holiday data does not cover
    # Counts the sweep hooks reported, "<hook>_<key>": e.g. stale_batches, stale_papers.
    counts: dict = field(default_factory=dict)

    def __eq__(self, other):  # a hook's count of 0 is no news: equal to a result without it
        if not isinstance(other, SweepResult):
            return NotImplemented
        return self._key() == other._key()

    def _key(self):
        counts = {name: value for name, value in self.counts.items() if value}
        return (self.reminders, self.overdue, self.escalations, self.skipped, counts)

    def __getattr__(self, name):
        try:
            return self.__dict__["counts"][name]
        except KeyError:
            raise AttributeError(name) from None


def live_project_tasks():
    """Live human tasks of the served flows' processes that name a subject (a project),
    with what deadlines and messages need."""
    about_a_subject = Q(pk__in=[])
    for flow_class in served_flows():
        about_a_subject |= Q(
            **{task_lookup(flow_class, f"{flow_class.subject_field}__isnull"): False}
        )
    return (
        ScopedTask.objects.filter(flow_task_type="HUMAN", status__in=LIVE)
        .filter(about_a_subject)
        .select_related("owner", *region_related("__parent__parent"))
        .order_by("pk")
    )


def sweep(today: datetime.date | None = None) -> SweepResult:
    """Act on every live task whose deadline level was reached on ``today`` and not yet
    acted on: remind the holder, mark overdue and tell the superior, escalate to the
    county supervisors (workflow/deadlines.py gives the levels and the chain of command)."""
    today = today or timezone.localdate()
    result = SweepResult()
    tasks = list(live_project_tasks())
    deadlines = deadlines_of(tasks)
    save_clocks(tasks, deadlines)  # the stored deadlines follow limits and calendar changes
    done = set(DeadlineAlert.objects.filter(task__in=tasks).values_list("task_id", "level"))
    acts = {Level.REMINDER: remind, Level.OVERDUE: mark_overdue, Level.ESCALATION: escalate}
    counters = {
        Level.REMINDER: "reminders",
        Level.OVERDUE: "overdue",
        Level.ESCALATION: "escalations",
    }
    with override(settings.LANGUAGE_CODE):  # stored texts are in the site's language
        for task in tasks:
            deadline = deadlines[task.pk]
            if deadline is None:
                result.skipped.append(task.pk)
                log.error("Task %s: the holiday calendar does not cover its dates", task.pk)
                continue
            for level in LEVELS_REACHED.get(deadline.status(today), ()):
                if (task.pk, level) in done:
                    continue
                if acts[level](task, deadline, today):
                    setattr(result, counters[level], getattr(result, counters[level]) + 1)
    for name, counts in run_sweep_hooks().items():
        result.counts.update({f"{name}_{key}": value for key, value in counts.items()})
    return result


def run_sweep_hooks() -> dict[str, dict]:
    """The work the shell adds to the sweep (``settings.QIYUE_SWEEP_HOOKS``, name → dotted
    path of a function returning counts); a hook that fails is logged and reports nothing."""
    reported = {}
    for name, dotted_path in getattr(settings, "QIYUE_SWEEP_HOOKS", {}).items():
        try:
            reported[name] = import_string(dotted_path)()
        except Exception:  # the deadline acts above stand whatever a hook does
            log.exception("sweep hook %s failed", name)
    return reported


def _project(task):
    return subject_of(task.process)


def _alert(task, level, deadline, today) -> bool:
    """Claim (task, level) for this sweep; False if another sweep already did."""
    try:
        with transaction.atomic():
            DeadlineAlert.objects.create(task=task, level=level, due=deadline.due, on=today)
    except IntegrityError:
        return False
    return True


def _describe(task, deadline) -> dict:
    project = _project(task)
    return {
        "project": project.name,
        "step": task.flow_task.task_title,
        "due": deadline.due.isoformat(),
    }


def _record(act, task, deadline, today, recipients, level):
    audit.record(
        None,
        act,
        task,
        project_id=_project(task).pk,
        after={
            "level": level,
            "due": deadline.due,
            "today": today,
            "notified": sorted(u.pk for u in recipients),
        },
    )


@transaction.atomic
def remind(task, deadline, today) -> bool:
    """超时提醒: before the limit, remind the holder."""
    if not _alert(task, Level.REMINDER, deadline, today):
        return False
    recipients = holders_of(task)
    text = _("Reminder: “%(step)s” of project “%(project)s” is due on %(due)s.") % _describe(
        task, deadline
    )
    notify(recipients, Kind.REMINDER, text, project=_project(task), task=task)
    _record(Act.DEADLINE_REMIND, task, deadline, today, recipients, Level.REMINDER)
    return True


@transaction.atomic
def mark_overdue(task, deadline, today) -> bool:
    """At the limit: mark the task overdue and tell its holder and the holder's superior."""
    if not _alert(task, Level.OVERDUE, deadline, today):
        return False
    holders, superiors = holders_of(task), superiors_of(task)
    text = _("Overdue: “%(step)s” of project “%(project)s” was due on %(due)s.") % _describe(
        task, deadline
    )
    notify(holders + superiors, Kind.OVERDUE, text, project=_project(task), task=task)
    _record(Act.DEADLINE_OVERDUE, task, deadline, today, holders + superiors, Level.OVERDUE)
    return True


@transaction.atomic
def escalate(task, deadline, today) -> bool:
    """After a further period: escalate to the county supervisors (poverty office and
    discipline commission)."""
    if not _alert(task, Level.ESCALATION, deadline, today):
        return False
    project = _project(task)
    recipients = supervisors_of(region_of(task.process).parent.parent)
    text = _(
        "Escalated: “%(step)s” of project “%(project)s” is still not done; it was due on %(due)s."
    ) % _describe(task, deadline)
    notify(recipients, Kind.ESCALATION, text, project=project, task=task)
    _record(Act.DEADLINE_ESCALATE, task, deadline, today, recipients, Level.ESCALATION)
    return True


# --- Urge (催办) -------------------------------------------------------------------------


def urge_regions(user) -> list:
    """Regions where the user may urge (催办): where they are a township lead, or a county
    poverty office, leading group or discipline commission member."""
    from permissions.jurisdiction import roles_of
    from permissions.roles import (
        COUNTY_DISCIPLINE,
        COUNTY_LEADING_GROUP,
        COUNTY_POVERTY_OFFICE,
        TOWNSHIP_LEAD,
    )

    urgers = {TOWNSHIP_LEAD, COUNTY_POVERTY_OFFICE, COUNTY_LEADING_GROUP, COUNTY_DISCIPLINE}
    return [r.region for r in roles_of(user) if r.role in urgers]


def may_urge(user, task, regions=None) -> bool:
    """A superior or supervisor may urge a live task of a project in their jurisdiction
    (:func:`urge_regions`), unless they hold the task themselves. Pass ``regions`` when
    checking many tasks for one user."""
    if task.status not in LIVE or task.owner_id == user.pk:
        return False
    village = region_of(task.process)
    regions = urge_regions(user) if regions is None else regions
    return any(village.is_within(region) for region in regions)


@transaction.atomic
def urge_task(actor, task, reason: str):
    """催办: press the holder of a live task to act, with a reason; audited and notified."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("Give the reason for urging."))
    if not may_urge(actor, task):
        raise UrgeNotAllowed(_("You may not urge this task."))
    project = _project(task)
    recipients = holders_of(task)
    with override(settings.LANGUAGE_CODE):
        text = _(
            "%(who)s urges you to complete “%(step)s” of project “%(project)s”: %(reason)s"
        ) % {
            "who": audit.display_name(actor),
            "step": task.flow_task.task_title,
            "project": project.name,
            "reason": reason,
        }
    notify(recipients, Kind.URGE, text, project=project, task=task)
    return audit.record(
        actor,
        Act.TASK_URGE,
        task,
        project_id=project.pk,
        after={"notified": sorted(u.pk for u in recipients)},
        reason=reason,
    )
