"""Django admin for reference data administrators maintain: each county's stage time limits.

Changes made here are audited like every other act (``stage_limits.change``)."""

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ground import audit
from ground.acts import Act
from ground.calendar import LAST_YEAR

from .models import StageLimit

admin.site.site_header = _("Qiyue administration")
admin.site.site_title = _("Qiyue administration")
admin.site.index_title = _("Reference data")


def warn_if_calendar_outdated(request) -> None:
    """Deadlines reaching past the holiday data are provisional; only an administrator can
    update the chinesecalendar package, so the admin (not the supervisors' pages) says so."""
    if LAST_YEAR <= timezone.localdate().year:
        messages.warning(
            request,
            _(
                "The holiday calendar (the chinesecalendar package) covers the years up to %(year)s: "
                "deadlines after it count the statutory holidays only and are provisional. Update the "
                "chinesecalendar package once the State Council announces the next year's arrangement."
            )
            % {"year": LAST_YEAR},
        )


_admin_index = admin.site.index


def _index_with_calendar_warning(request, extra_context=None):
    warn_if_calendar_outdated(request)
    return _admin_index(request, extra_context)


admin.site.index = _index_with_calendar_warning


def _limits(county) -> dict:
    return {
        r.node: [r.working_days, r.remind_before_days, r.escalate_after_days]
        for r in StageLimit.objects.filter(county=county)
    }


@admin.register(StageLimit)
class StageLimitAdmin(admin.ModelAdmin):
    list_display = ("county", "node", "working_days", "remind_before_days", "escalate_after_days")
    list_filter = ("county",)
    ordering = ("county", "node")

    def changelist_view(self, request, extra_context=None):
        warn_if_calendar_outdated(request)
        return super().changelist_view(request, extra_context)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        county = obj.county
        before = _limits(county)
        super().save_model(request, obj, form, change)
        audit.record(
            request.user, Act.STAGE_LIMITS_CHANGE, county, before=before, after=_limits(county)
        )

    @transaction.atomic
    def delete_model(self, request, obj):
        county = obj.county
        before = _limits(county)
        super().delete_model(request, obj)
        audit.record(
            request.user, Act.STAGE_LIMITS_CHANGE, county, before=before, after=_limits(county)
        )

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
