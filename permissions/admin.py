"""Django admin for onboarding a county: the region tree (read-only) and the Excel import.

Regions, officials and grants change only through the import (permissions/onboarding.py),
whose every act is audited, so the region list here has no add, change or delete."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from . import onboarding
from .models import Region

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each new account's password is hashed with Argon2 (~0.3 s of CPU): past this many, the
# upload would outlast the web worker's timeout (60 s), so the command imports them instead.
WEB_MAX_NEW_ACCOUNTS = 100


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("region_path", "level", "code", "credit_code")
    list_filter = ("level",)
    list_select_related = ("parent__parent",)
    search_fields = ("name", "code")
    ordering = ("path",)
    change_list_template = "admin/permissions/region/change_list.html"

    @admin.display(description=gettext_lazy("region"), ordering="path")
    def region_path(self, region):
        return region.full_name

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("import/", wrap(self.import_view), name="permissions_region_import"),
            path("template.xlsx", wrap(self.template_view), name="permissions_region_template"),
            *super().get_urls(),
        ]

    def _only_superusers(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied

    def template_view(self, request):
        self._only_superusers(request)
        response = HttpResponse(onboarding.write_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="county-import-template.xlsx"'
        return response

    @method_decorator(never_cache)  # generated passwords are shown once, never cached
    def import_view(self, request):
        self._only_superusers(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_lazy("Import regions and officials from Excel"),
            "sheets": onboarding.COLUMNS,
            "roles": "、".join(onboarding.chinese_role_names()),
        }
        if request.method == "POST":
            upload = request.FILES.get("sheet")
            if upload is None:
                context["missing_file"] = True
            else:
                plan = onboarding.read_workbook(upload)
                context["plan"] = plan
                context["file_name"] = upload.name
                context["counts"] = plan.counts()
                dry_run = bool(request.POST.get("dry_run"))
                too_many = plan.counts()["people_new"] > WEB_MAX_NEW_ACCOUNTS and not dry_run
                context["too_many"] = too_many and WEB_MAX_NEW_ACCOUNTS
                if plan.ok and not too_many and not dry_run:
                    try:
                        context["outcome"] = onboarding.import_plan(request.user, plan)
                    except onboarding.ImportFailed as exc:
                        context["failure"] = str(exc)
        return TemplateResponse(request, "admin/permissions/region/import.html", context)
