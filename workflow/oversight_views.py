"""Supervision pages: notifications (通知), urging a task (催办) and the county's stage time
limits (superusers). The domain adds its supervisor dashboard to this app
(processes/dashboard_views.py)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import generic
from viewflow.urls import Application

from ground import audit
from ground.acts import Act
from permissions.models import Region
from permissions.roles import Level

from .deadlines import LIVE, county_limits, default_limits, step_choices
from .inputs import InputDiscipline
from .models import Notification, StageLimit
from .notifications import link_of, mark_read
from .subjects import is_visible, region_related, subject_of, subject_url
from .supervision import UrgeNotAllowed, may_urge, urge_task
from .tasks import ScopedTask


class NotificationListView(generic.ListView):
    """The user's own notifications, newest first; nobody else's are ever listed."""

    template_name = "workflow/oversight/notifications.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.filter(recipient=self.request.user).select_related("project")


class MarkReadView(generic.View):
    """POST: mark one notification (``pk``) or all of the user's notifications read."""

    def post(self, request, pk=None):
        if pk is not None:
            get_object_or_404(Notification, pk=pk, recipient=request.user)
        mark_read(request.user, None if pk is None else [pk])
        return HttpResponseRedirect(reverse("oversight:notifications"))


class OpenNotificationView(generic.View):
    """Open a notification: mark it read and go to what it announces (task, sign-off,
    report or project). Only the recipient's own; anyone else's is a 404."""

    def get(self, request, pk):
        notification = get_object_or_404(
            Notification.objects.select_related("task"), pk=pk, recipient=request.user
        )
        mark_read(request.user, [notification.pk])
        return HttpResponseRedirect(link_of(notification) or reverse("oversight:notifications"))


class UrgeForm(InputDiscipline, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for urging"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class UrgeView(generic.FormView):
    """催办 a live task: 404 outside the user's jurisdiction, 403 to those who may not urge."""

    template_name = "workflow/oversight/urge.html"
    form_class = UrgeForm

    def dispatch(self, request, *args, **kwargs):
        task = get_object_or_404(
            ScopedTask.objects.select_related("owner", *region_related("__parent")),
            pk=kwargs["task_pk"],
            flow_task_type="HUMAN",
        )
        project = subject_of(task.process)
        if project is None or not is_visible(request.user, task.process):
            raise Http404
        if task.status not in LIVE:
            raise Http404
        if not may_urge(request.user, task):
            raise PermissionDenied
        self.task, self.project = task, project
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(task=self.task, project=self.project, **kwargs)

    def form_valid(self, form):
        try:
            urge_task(self.request.user, self.task, form.cleaned_data["reason"])
        except (ValueError, UrgeNotAllowed) as error:
            form.add_error(None, str(error))
            return self.form_invalid(form)
        messages.success(self.request, _("The holder has been urged."))
        return HttpResponseRedirect(subject_url(self.project))


class StageLimitsForm(InputDiscipline, forms.Form):
    """Three numbers per step: limit, remind before, escalate after (working days)."""

    FIELDS = ("working_days", "remind_before_days", "escalate_after_days")

    def __init__(self, *args, county, **kwargs):
        super().__init__(*args, **kwargs)
        self.county = county
        limits = county_limits(county.pk)
        self.steps = []
        for node, title in step_choices():
            limit = limits[node]
            names = []
            for field in self.FIELDS:
                name = f"{node}-{field}"
                self.fields[name] = forms.IntegerField(
                    label=StageLimit._meta.get_field(field).verbose_name,
                    min_value=1 if field == "working_days" else 0,
                    max_value=366,
                    initial=getattr(limit, field),
                )
                names.append(name)
            self.steps.append((node, title, [self[name] for name in names]))

    def clean(self):
        cleaned = super().clean()
        for node, _title, _fields in self.steps:
            days = cleaned.get(f"{node}-working_days")
            remind = cleaned.get(f"{node}-remind_before_days")
            if days is not None and remind is not None and remind >= days:
                self.add_error(
                    f"{node}-remind_before_days", _("The reminder must come before the time limit.")
                )
        return cleaned

    def limits(self) -> dict[str, list[int]]:
        return {
            node: [self.cleaned_data[f"{node}-{field}"] for field in self.FIELDS]
            for node, _title, _fields in self.steps
        }


class StageLimitsView(generic.FormView):
    """A superuser sets a county's time limit for each step (working days)."""

    template_name = "workflow/oversight/stage_limits.html"
    form_class = StageLimitsForm

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        self.county = get_object_or_404(Region, pk=kwargs["county_pk"], level=Level.COUNTY)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "county": self.county}

    def get_context_data(self, **kwargs):
        return super().get_context_data(county=self.county, **kwargs)

    def form_valid(self, form):
        save_stage_limits(self.request.user, self.county, form.limits())
        messages.success(self.request, _("The time limits have been saved."))
        return HttpResponseRedirect(self.request.path)


class CountiesView(generic.TemplateView):
    """Superusers: pick the county whose limits to set (straight there when there is one)."""

    template_name = "workflow/oversight/counties.html"

    def get(self, request, *args, **kwargs):
        if not request.user.is_superuser:
            raise PermissionDenied
        counties = list(Region.objects.filter(level=Level.COUNTY))
        if len(counties) == 1:
            return HttpResponseRedirect(reverse("oversight:stage_limits", args=[counties[0].pk]))
        return self.render_to_response(self.get_context_data(counties=counties))


@transaction.atomic
def save_stage_limits(actor, county, limits: dict[str, list[int]]):
    """An administrator sets a county's stage time limits: one audited act. A step whose
    numbers equal the defaults keeps no row, so later default changes still reach it."""

    def current():
        return {
            r.node: [r.working_days, r.remind_before_days, r.escalate_after_days]
            for r in StageLimit.objects.filter(county=county)
        }

    before = current()
    defaults = default_limits()
    for node, (days, remind, escalate) in limits.items():
        default = defaults[node]
        if (days, remind, escalate) == (
            default.working_days,
            default.remind_before_days,
            default.escalate_after_days,
        ):
            StageLimit.objects.filter(county=county, node=node).delete()
            continue
        StageLimit.objects.update_or_create(
            county=county,
            node=node,
            defaults={
                "working_days": days,
                "remind_before_days": remind,
                "escalate_after_days": escalate,
            },
        )
    after = current()
    if after != before:
        audit.record(actor, Act.STAGE_LIMITS_CHANGE, county, before=before, after=after)


class OversightApp(Application):
    title = gettext_lazy("Deadlines")
    icon = "notifications"
    app_name = "oversight"
    menu_template_name = "workflow/oversight/menu.html"

    def has_view_permission(self, user, obj=None):
        return user.is_authenticated

    @property
    def index_path(self):
        return path("", NotificationListView.as_view(), name="index")

    @property
    def notifications_path(self):
        return path("notifications/", NotificationListView.as_view(), name="notifications")

    @property
    def read_all_path(self):
        return path("notifications/read/", MarkReadView.as_view(), name="read_all")

    @property
    def read_path(self):
        return path("notifications/<int:pk>/read/", MarkReadView.as_view(), name="read")

    @property
    def open_path(self):
        return path("notifications/<int:pk>/open/", OpenNotificationView.as_view(), name="open")

    @property
    def urge_path(self):
        return path("tasks/<int:task_pk>/urge/", UrgeView.as_view(), name="urge")

    @property
    def counties_path(self):
        return path("limits/", CountiesView.as_view(), name="counties")

    @property
    def stage_limits_path(self):
        return path("limits/<int:county_pk>/", StageLimitsView.as_view(), name="stage_limits")
