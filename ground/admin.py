from django.contrib import admin

from .models import CalendarDay
from .workdays import rebuild_index


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    """Holidays and make-up workdays; every change rebuilds the working-day index."""

    list_display = ("day", "working", "name", "source")
    list_filter = ("working", "source")
    date_hierarchy = "day"
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        obj.source = CalendarDay.Source.ADMIN  # kept when the package data is synced again
        super().save_model(request, obj, form, change)
        rebuild_index()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        rebuild_index()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        rebuild_index()
