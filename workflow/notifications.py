"""Notifications (通知): in-app, and by email through Django's email backend.

:func:`notify` is the one way to tell officials something. It writes one row per
recipient inside the caller's transaction; the emails go out after the transaction commits
(a background job: Celery when a broker is configured, else in-process), so a rolled-back
act never sends mail. Recipients without an email address get the in-app message only.

Work announces itself: whenever work becomes someone's, the act that made it theirs calls
one function below, in its own transaction, so the message exists exactly when the act
committed. Each message carries a ``key`` naming what it announces ("task:42"), written
at most once per recipient, so an act that runs again never repeats it.

- :func:`announce_new_tasks` (every task act, workflow/actions.py): each human task the act
  created goes to its holder, or to every active holder of its role at its region
  (permissions.jurisdiction.permission_holders); a send-back says so, with the reason;
- :func:`work_handed` (workflow/operations/): 转办, 委派, 加签, 会签 seat, 抄送;
- :func:`report_routed` (processes/reports.py): a public report reaches its recipients.

The acting official is never told of work they gave themselves.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import get_resolver
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from ground.jobs import enqueue

from .models import Notification
from .subjects import subject_of, subject_url

Kind = Notification.Kind


def notify(
    recipients, kind: str, text: str, *, project=None, task=None, url="", key=""
) -> list[Notification]:
    """Tell each recipient (duplicates dropped) ``text``; returns the rows written.

    With a ``key``, recipients who already have a notification with that key are skipped."""
    users = {}
    for user in recipients:
        if user is not None and user.is_active and user.pk not in users:
            users[user.pk] = user
    if key and users:
        told = Notification.objects.filter(key=key, recipient_id__in=list(users))
        for pk in told.values_list("recipient_id", flat=True):
            users.pop(pk, None)
    rows = [
        Notification(
            recipient=user, project=project, task=task, kind=kind, text=text, url=url, key=key
        )
        for user in users.values()
    ]
    rows = Notification.objects.bulk_create(rows)
    ids = [row.pk for row in rows if row.recipient.email]
    if ids:
        enqueue("workflow.notifications.send_emails", ids)
    return rows


def send_emails(notification_ids) -> None:
    """Job: email the given notifications to their recipients."""
    rows = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient", "project"
    )
    with override(settings.LANGUAGE_CODE):
        for row in rows:
            subject = _("[Qiyue] %(kind)s") % {"kind": row.get_kind_display()}
            if row.project_id:
                subject += f" · {row.project.name}"
            send_mail(
                subject,
                row.text,
                settings.DEFAULT_FROM_EMAIL,
                [row.recipient.email],
                fail_silently=False,
            )


def unread_count(user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(user, notification_ids=None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given).
    Scoped to the recipient: ids of other users' notifications are ignored."""
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=timezone.now())


def settle_task(task) -> int:
    """A task claimed, completed or cancelled is no one's news any more: its unread
    announcements (new task, send-back) are marked read for everyone they reached, so a
    colleague's queue notice does not linger once the work is taken."""
    return Notification.objects.filter(key=f"task:{task.pk}", read_at__isnull=True).update(
        read_at=timezone.now()
    )


def recent(user, limit: int = 5):
    """The user's newest notifications, for the home page (one query)."""
    return Notification.objects.filter(recipient=user).select_related("project")[:limit]


def link_of(notification) -> str:
    """Where a notification leads: its task, sign-off or report, else its project."""
    if notification.url:
        return notification.url
    if notification.task_id:
        return _task_url(notification.task)
    if notification.project_id:
        return subject_url(notification.project_id)
    return ""


# --- Work announces itself ---------------------------------------------------------------


def _project(task):
    return subject_of(task.process)


def _task_url(task) -> str:
    """The task's own page: it opens the form for its holder, the claim page for the queue."""
    # A flow node reverses through the site, which is wired when the URLconf is imported: in a
    # request it is, but a command run by call_command (seed_scale from `make bench`) or a
    # worker may announce tasks before anything imported it.
    get_resolver().url_patterns  # noqa: B018 (imports the URLconf once; cached afterwards)
    return task.flow_task.reverse("index", args=[task.process_id, task.pk])


def _words(task, actor=None, reason="", project=None) -> dict:
    from ground.audit import display_name

    project = project or _project(task)
    return {
        "step": task.flow_task.task_title,
        "project": project.name if project else "",
        "who": display_name(actor) if actor is not None else "",
        "reason": reason,
    }


def announce_new_tasks(actor, process, since, *, sent_back=False, reason="") -> None:
    """Tell whoever a task act made responsible for the human tasks it created (those
    created at or after ``since``): the holder a task went straight to, or every active
    holder of its role at its region (or of its operator) while it waits in the queue."""
    from viewflow.workflow.status import STATUS

    from permissions.jurisdiction import permission_holders_at

    from .tasks import ScopedTask

    created = ScopedTask.objects.filter(
        process_id=process.pk,
        flow_task_type="HUMAN",
        status__in=(STATUS.NEW, STATUS.ASSIGNED),
        created__gte=since,
    ).select_related("owner")
    project = subject_of(process)  # the act's process: read once, not once per task
    with override(settings.LANGUAGE_CODE):
        for task in created:
            task.process = process
            words = _words(task, actor, reason, project)
            if task.owner_id is not None:
                recipients = [task.owner]
            elif task.owner_permission and task.owner_permission_obj_pk:
                recipients = list(
                    permission_holders_at(
                        task.owner_permission,
                        task.owner_permission_content_type_id,
                        task.owner_permission_obj_pk,
                    )
                )
            else:
                recipients = []
            recipients = [u for u in recipients if actor is None or u.pk != actor.pk]
            if sent_back:
                kind = Kind.SEND_BACK
                text = (
                    _("“%(step)s” of project “%(project)s” was sent back by %(who)s: %(reason)s")
                    % words
                )
            elif task.owner_id is not None:
                kind = Kind.NEW_TASK
                text = _("“%(step)s” of project “%(project)s” is in your inbox.") % words
            else:
                kind = Kind.NEW_TASK
                text = (
                    _("“%(step)s” of project “%(project)s” is waiting in your queue (to claim).")
                    % words
                )
            notify(
                recipients,
                kind,
                text,
                project=project,
                task=task,
                url=_task_url(task),
                key=f"task:{task.pk}",
            )


# What each approval operation tells the official it reaches.
HANDED = {
    Kind.TRANSFER: lambda: _(
        "%(who)s transferred “%(step)s” of project “%(project)s” to you: %(reason)s"
    ),
    Kind.DELEGATION: lambda: _(
        "%(who)s delegated “%(step)s” of project “%(project)s” to you to fill in: %(reason)s"
    ),
    Kind.ADDED_SIGNER: lambda: _(
        "%(who)s asks for your signed opinion on “%(step)s” of project “%(project)s”: %(reason)s"
    ),
    Kind.PANEL_SEAT: lambda: _(
        "%(who)s seated you on the acceptance panel of project “%(project)s”; please "
        "countersign: %(reason)s"
    ),
    Kind.CARBON_COPY: lambda: _(
        "%(who)s copied project “%(project)s” (“%(step)s”) to you: %(reason)s"
    ),
}


def transferred(actor, task, to_user, reason) -> None:
    """转办: the colleague now holds the task."""
    work_handed(actor, task, [to_user], Kind.TRANSFER, reason)


def delegated(actor, task, delegation) -> None:
    """委派: the colleague fills the task in for its holder."""
    key = f"delegation:{delegation.pk}"
    work_handed(actor, task, [delegation.delegate], Kind.DELEGATION, delegation.reason, key=key)


def copied(actor, task, copies) -> None:
    """抄送: each recipient of the copy; links to the project."""
    recipients = [copy.recipient for copy in copies]
    note = copies[0].note if copies else ""
    key = f"copy:{copies[0].pk}" if copies else ""
    work_handed(actor, task, recipients, Kind.CARBON_COPY, note, key=key)


def sign_off_requested(actor, task, sign_off) -> None:
    """加签 / 会签: the signer is asked for their signed opinion; links to the sign-off."""
    from django.urls import reverse

    panel = sign_off.kind == "panel"
    work_handed(
        actor,
        task,
        [sign_off.signer],
        Kind.PANEL_SEAT if panel else Kind.ADDED_SIGNER,
        sign_off.reason,
        url=reverse("approvals:sign", args=[sign_off.pk]),
        key=f"signoff:{sign_off.pk}",
    )


def work_handed(actor, task, recipients, kind, reason, *, url="", key="") -> None:
    """An approval operation made work (or a copy) someone's: tell them, linking to the
    task (a copy: to the project). ``key`` names the act (default: the task and the moment
    it was handed over)."""

    if url:
        pass
    elif kind == Kind.CARBON_COPY:
        url = subject_url(_project(task))
    else:
        url = _task_url(task)
    key = key or f"{kind}:{task.pk}:{task.assigned.timestamp() if task.assigned else ''}"
    with override(settings.LANGUAGE_CODE):
        text = HANDED[kind]() % _words(task, actor, reason)
    notify(
        [u for u in recipients if u.pk != actor.pk],
        kind,
        text,
        project=_project(task),
        task=task,
        url=url,
        key=key,
    )


def report_routed(subject, number: str, routes, url: str, key: str) -> None:
    """A public report (举报) numbered ``number`` about ``subject`` reaches the holders of each
    (role, region) it is routed to. The message names the subject only: never the filer."""
    from permissions.jurisdiction import permission_holders

    recipients = [
        user for role, region in routes for user in permission_holders(role.permission, region)
    ]
    with override(settings.LANGUAGE_CODE):
        text = _("Public report %(number)s about project “%(project)s” was routed to you.") % {
            "number": number,
            "project": subject.name,
        }
    notify(recipients, Kind.REPORT, text, project=subject, url=url, key=key)
