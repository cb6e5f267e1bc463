from django.urls import path

from . import views
from .crl import CRL_PATH

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify_number, name="verify_number"),
    path("documents/versions/<int:pk>/", views.download, name="document_download"),
    path("documents/batches/<int:pk>/", views.download_combined, name="batch_download"),
    path("documents/preview/", views.preview_index, name="preview_index"),
    path("documents/preview/<str:kind>/", views.preview_kind, name="preview_kind"),
    path("documents/preview/<str:kind>/pdf/", views.preview_pdf, name="preview_pdf"),
    path(CRL_PATH.lstrip("/"), views.county_crl, name="county_crl"),
]
