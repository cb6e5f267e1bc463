from django.urls import path
from django.views.i18n import JavaScriptCatalog, set_language
from viewflow.contrib.auth import AuthViewset

from .site import site

urlpatterns = [
    path("accounts/", AuthViewset(with_profile_view=False).urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("", site.urls),
]
