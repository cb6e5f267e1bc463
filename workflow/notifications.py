"""Notifications (通知): in-app, and by email through Django's email backend.

:func:`notify` is the one way to tell officials something. It writes one row per
recipient inside the caller's transaction; the emails go out after the transaction commits
(a background job: Celery when a broker is configured, else in-process), so a rolled-back
act never sends mail. Recipients without an email address get the in-app message only.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from .jobs import enqueue
from .models import Notification

Kind = Notification.Kind


def notify(recipients, kind: str, text: str, *, project=None, task=None) -> list[Notification]:
    """Tell each recipient (duplicates dropped) ``text``; returns the rows written."""
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, project=project, task=task, kind=kind, text=text))
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
