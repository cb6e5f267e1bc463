from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import JavaScriptCatalog, set_language
from viewflow.contrib.auth import AuthViewset

from workflow.i18n import switch_language
from workflow.views import favicon

from .site import site

# The administration pages (and the password-reset pages Django's admin styles) say Qiyue.
admin.site.site_header = admin.site.site_title = _("Qiyue administration")

urlpatterns = [
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("admin/", admin.site.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/switch/<str:code>/", switch_language, name="switch_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("documents.urls")),
    path("", include("processes.report_views")),  # the public report page (举报)
    # "/" is the official's desk (工作台, the site's index), also where signing in leads.
    path("", site.urls),
]

# A visitor who is not signed in is sent to the sign-in page (and back), not shown a 403.
handler403 = "workflow.views.permission_denied"
