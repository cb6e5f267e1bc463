from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Approval operations (workflow/operations/) ----------------------------------------


class SignOff(models.Model):
    """A sign-off a task needs before its holder may complete it.

    Two kinds: an official the holder added (加签), and a member of the county acceptance
    panel (会签, a node declared ``.Countersign(seats)``). Each signs once, with an opinion;
    a panel member's "reject" sends the task back.
    """

    class Kind(models.TextChoices):
        ADDED = "added", _("Added signer")
        PANEL = "panel", _("Panel member")

    class Decision(models.TextChoices):
        PENDING = "", _("Not yet signed")
        AGREE = "agree", _("Agree")
        REJECT = "reject", _("Reject")

    task = models.ForeignKey("viewflow.Task", models.CASCADE, related_name="+")
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    seat = models.CharField(_("seat"), max_length=32, blank=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("signer")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reason = models.TextField(_("reason"))
    decision = models.CharField(
        _("decision"), max_length=8, choices=Decision.choices, blank=True, default=""
    )
    opinion = models.TextField(_("opinion"), blank=True)
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("sign-off")
        verbose_name_plural = _("sign-offs")
        ordering = ["created", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "signer"], name="signoff_one_per_signer")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.signer} @ task {self.task_id}"


class Delegation(models.Model):
    """委派: the holder lends a task to a colleague, who fills it in; the task then
    returns to the holder, who stays responsible and completes it."""

    task = models.ForeignKey("viewflow.Task", models.CASCADE, related_name="+")
    project_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    delegator = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("delegator")
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("delegate")
    )
    reason = models.TextField(_("reason"))
    proposal = models.JSONField(default=dict, blank=True)  # the delegate's filled-in form
    note = models.TextField(_("note"), blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.delegator} → {self.delegate} @ task {self.task_id}"


class CarbonCopy(models.Model):
    """抄送: a task's holder copies the project to an official, with a note."""

    task = models.ForeignKey("viewflow.Task", models.CASCADE, related_name="+")
    project_id = models.BigIntegerField(db_index=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("recipient")
    )
    note = models.TextField(_("note"))
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("carbon copy")
        verbose_name_plural = _("carbon copies")
        ordering = ["-created", "-pk"]
        indexes = [models.Index(fields=["recipient", "-created"], name="cc_recipient_created")]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient} @ project {self.project_id}"


def stage_choices():
    """The steps of the served flows that declare a time limit."""
    from .deadlines import step_choices

    return step_choices()


class StageLimit(models.Model):
    """A county's time limit for one step, in working days (workflow/deadlines.py).

    Without a row the step uses the limit its node declares (``deadlines.default_limits``)."""

    county = models.ForeignKey(
        "permissions.Region",
        models.CASCADE,
        related_name="stage_limits",
        verbose_name=_("county"),
        limit_choices_to={"level": "county"},
    )
    node = models.CharField(_("step"), max_length=64, choices=stage_choices)
    working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    remind_before_days = models.PositiveSmallIntegerField(
        _("remind before the limit (working days)"), default=2
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after the limit (working days)"), default=5
    )

    class Meta:
        verbose_name = _("stage time limit")
        verbose_name_plural = _("stage time limits")
        ordering = ["county", "node"]
        constraints = [
            models.UniqueConstraint(fields=["county", "node"], name="stage_limit_once_per_county"),
        ]

    def __str__(self) -> str:
        return f"{self.get_node_display()}: {self.working_days}"

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.working_days is not None and self.working_days < 1:
            raise ValidationError(
                {"working_days": _("The time limit must be at least one working day.")}
            )
        if (
            self.working_days is not None
            and self.remind_before_days is not None
            and self.remind_before_days >= self.working_days
        ):
            raise ValidationError(
                {"remind_before_days": _("The reminder must come before the time limit.")}
            )


class DeadlineAlert(models.Model):
    """One level of the deadline sweep reached for one task; the row makes the sweep
    idempotent (never twice per task and level) and persists the overdue mark."""

    class Level(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalated")

    task = models.ForeignKey(
        "viewflow.Task", models.CASCADE, related_name="deadline_alerts", verbose_name=_("task")
    )
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    due = models.DateField(_("deadline"))
    on = models.DateField(_("sweep date"))
    created = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("deadline alert")
        verbose_name_plural = _("deadline alerts")
        constraints = [
            models.UniqueConstraint(fields=["task", "level"], name="deadline_alert_once_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.task_id} {self.level}"


class Notification(models.Model):
    """A message to one official, shown in-app (通知) and sent by email."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Deadline reminder")
        OVERDUE = "overdue", _("Overdue")
        ESCALATION = "escalation", _("Escalation")
        URGE = "urge", _("Urge")
        NEW_TASK = "task", _("New task")
        SEND_BACK = "send_back", _("Sent back")
        TRANSFER = "transfer", _("Transferred to you")
        DELEGATION = "delegation", _("Delegated to you")
        ADDED_SIGNER = "signer", _("Signature requested")
        PANEL_SEAT = "panel", _("Panel seat")
        CARBON_COPY = "copy", _("Copied to you")
        REPORT = "report", _("Public report")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    project = models.ForeignKey(
        settings.QIYUE_SUBJECT_MODEL,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project"),
    )
    task = models.ForeignKey(
        "viewflow.Task",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("task"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=300, blank=True)  # the task, sign-off or report
    # What the notification announces (e.g. "task:42"): one per recipient, however often
    # the act that writes it runs.
    key = models.CharField(max_length=80, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created"], name="notification_recent"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return self.text[:50]


class TaskClock(models.Model):
    """A task's clock, stored so that lists count in SQL: while the task is live, its
    deadline (``due < today`` is overdue), computed by workflow/deadlines.py (working days,
    the county's limit, paused while sent back) when the task is created and again by every
    sweep and when a county changes a limit (``due`` is empty when the holiday calendar does
    not cover the task's dates); once it is done, the working days it took (``worked``)."""

    task = models.OneToOneField(
        "viewflow.Task", models.CASCADE, primary_key=True, related_name="clock"
    )
    started = models.DateField(_("started"))
    working_days = models.PositiveSmallIntegerField(_("time limit (working days)"))
    remind_before_days = models.PositiveSmallIntegerField(default=2)
    escalate_after_days = models.PositiveSmallIntegerField(default=5)
    used_before = models.PositiveSmallIntegerField(default=0)
    due = models.DateField(_("deadline"), null=True, db_index=True)
    remind_on = models.DateField(null=True)
    escalate_on = models.DateField(null=True)
    worked = models.PositiveIntegerField(_("working days taken"), null=True)
    # where and at which stage, for the medians per township and stage of finished tasks
    region = models.ForeignKey(
        "permissions.Region", models.SET_NULL, null=True, related_name="+", db_index=False
    )
    stage = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("task deadline")
        verbose_name_plural = _("task deadlines")
        indexes = [
            models.Index(
                fields=["region", "stage", "worked"],
                name="clock_worked_by_place",
                condition=models.Q(worked__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.due}"
