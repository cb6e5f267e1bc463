"""The county import on the admin's region list: the Excel upload and the blank template.

It replaces the region list's admin (permissions/admin.py) with one that adds the two pages,
so their paths stay under /admin/permissions/region/."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from permissions.admin import RegionAdmin
from permissions.models import Region

from .applying import import_plan
from .reading import read_workbook
from .sheet import COLUMNS, ImportFailed, chinese_role_names
from .template import write_template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each new account's password is hashed with Argon2 (~0.3 s of CPU): past this many, the
# upload would outlast the web worker's timeout (60 s), so the command imports them instead.
WEB_MAX_NEW_ACCOUNTS = 100


class CountyImportRegionAdmin(RegionAdmin):
    change_list_template = "admin/permissions/region/change_list.html"

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
        response = HttpResponse(write_template(), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="county-import-template.xlsx"'
        return response

    @method_decorator(never_cache)  # generated passwords are shown once, never cached
    def import_view(self, request):
        self._only_superusers(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext_lazy("Import regions and officials from Excel"),
            "sheets": COLUMNS,
            "roles": "、".join(chinese_role_names()),
        }
        if request.method == "POST":
            upload = request.FILES.get("sheet")
            if upload is None:
                context["missing_file"] = True
            else:
                plan = read_workbook(upload)
                context["plan"] = plan
                context["file_name"] = upload.name
                context["counts"] = plan.counts()
                dry_run = bool(request.POST.get("dry_run"))
                too_many = plan.counts()["people_new"] > WEB_MAX_NEW_ACCOUNTS and not dry_run
                context["too_many"] = too_many and WEB_MAX_NEW_ACCOUNTS
                if plan.ok and not too_many and not dry_run:
                    try:
                        context["outcome"] = import_plan(request.user, plan)
                    except ImportFailed as exc:
                        context["failure"] = str(exc)
        return TemplateResponse(request, "admin/permissions/region/import.html", context)


def register(site=admin.site) -> None:
    """Put the import pages on the region list (called from processes/admin.py)."""
    if site.is_registered(Region):
        site.unregister(Region)
    site.register(Region, CountyImportRegionAdmin)
