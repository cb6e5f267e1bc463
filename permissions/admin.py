"""Django admin: the region tree, read-only.

Regions, officials and grants change only through the county import (processes/onboarding/,
whose admin page extends this one), and every act of it is audited, so the region list here
has no add, change or delete."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from .models import Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("region_path", "level", "code", "credit_code")
    list_filter = ("level",)
    list_select_related = ("parent__parent",)
    search_fields = ("name", "code")
    ordering = ("path",)

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
