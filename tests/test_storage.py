"""Media and generated papers go through Django's storage API only (``STORAGES["default"]``),
so a county can keep them in S3-compatible storage: nothing asks the storage for a local path
or writes under MEDIA_ROOT behind its back."""

import io
import json

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command

from documents.models import Batch, DocumentKind, DocumentVersion
from processes.models import ImplementationMode

from .flowdriver import Driver
from .test_settings import run_python

IN_MEMORY = "django.core.files.storage.InMemoryStorage"


@pytest.fixture
def in_memory_storage(settings):
    """Papers in Django's InMemoryStorage, which has no ``path()``: any code reading a file by
    its local path fails, and MEDIA_ROOT stays empty."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": IN_MEMORY}}
    return settings.MEDIA_ROOT


def files_under(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_paper_path_works_on_a_storage_without_local_files(
    cast, in_memory_storage, django_capture_on_commit_callbacks
):
    driver = Driver(cast, "A1")
    project = driver.start(mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00")
    while (step := driver.open_task(project).flow_task.name) != "progress_report":
        with django_capture_on_commit_callbacks(execute=True):  # papers produced after commit
            driver.step(project, step)

    versions = DocumentVersion.objects.filter(document__project=project)
    assert versions.exists() and set(versions.values_list("status", flat=True)) == {"ready"}
    assert all(default_storage.exists(v.pdf.name) for v in versions)
    assert type(default_storage._wrapped).__name__ == "InMemoryStorage"

    # Download the signed entrustment agreement as the township lead, then check it on /verify/.
    version = project.documents.get(kind=DocumentKind.ENTRUSTMENT).latest
    lead = cast.client(cast.user("township_lead", "A"))
    response = lead.get(f"/documents/versions/{version.pk}/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF") and len(pdf) == version.size
    page = cast.client(cast.user("township_lead", "B"))
    answer = page.post("/verify/", {"file": io.BytesIO(pdf)}, format="multipart")
    assert answer.status_code == 200 and answer.context["verdict"].status == "authentic"

    # The combined print file of the households' batch is stored and served the same way.
    batch = Batch.objects.get(project=project, kind=DocumentKind.BENEFIT_LINKAGE)
    assert default_storage.exists(batch.combined.name)
    combined = lead.get(f"/documents/batches/{batch.pk}/")
    assert combined.status_code == 200
    assert b"".join(combined.streaming_content).startswith(b"%PDF")

    assert files_under(in_memory_storage) == []


def test_a_failed_paper_is_produced_again_into_the_configured_storage(
    cast, in_memory_storage, django_capture_on_commit_callbacks, monkeypatch
):
    from documents import rendering

    driver = Driver(cast, "A1")
    project = driver.start()
    driver.run(project, until="leading_group_approval")
    real = rendering.render_pdf
    monkeypatch.setattr(rendering, "render_pdf", lambda html, **kw: 1 / 0)
    with django_capture_on_commit_callbacks(execute=True):
        driver.act(project, "leading_group_approval")
    monkeypatch.setattr(rendering, "render_pdf", real)

    call_command("produce_documents", stdout=io.StringIO())

    version = project.documents.get(kind=DocumentKind.APPROVAL_REPLY).latest
    assert version.status == DocumentVersion.Status.READY
    with default_storage.open(version.pdf.name, "rb") as stored:
        assert stored.read().startswith(b"%PDF")
    assert files_under(in_memory_storage) == []


def test_papers_stay_in_the_media_directory_by_default(settings):
    assert settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert default_storage.path("documents/x.pdf") == str(settings.MEDIA_ROOT / "documents/x.pdf")


PRINT_STORAGE = (
    "import django, json; django.setup(); from django.conf import settings;"
    " print(json.dumps(settings.STORAGES['default']))"
)


def test_the_storage_backend_and_its_options_come_from_the_environment(tmp_path):
    options = {"location": str(tmp_path / "papers"), "base_url": "/papers/"}
    result = run_python(
        PRINT_STORAGE,
        {
            "DJANGO_SETTINGS_MODULE": "qiyue.settings",
            "QIYUE_STORAGE_BACKEND": IN_MEMORY,
            "QIYUE_STORAGE_OPTIONS": json.dumps(options),
        },
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"BACKEND": IN_MEMORY, "OPTIONS": options}


def test_the_storage_options_may_come_from_a_file(tmp_path):
    secret = tmp_path / "storage.json"
    secret.write_text('{"location": "/srv/papers"}\n', encoding="utf-8")
    result = run_python(
        PRINT_STORAGE,
        {"DJANGO_SETTINGS_MODULE": "qiyue.settings", "QIYUE_STORAGE_OPTIONS_FILE": str(secret)},
        tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["OPTIONS"] == {"location": "/srv/papers"}


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("QIYUE_STORAGE_OPTIONS", "{bucket: qiyue}", "QIYUE_STORAGE_OPTIONS is not JSON"),
        ("QIYUE_STORAGE_OPTIONS", '["qiyue"]', "QIYUE_STORAGE_OPTIONS must be a JSON object"),
        ("QIYUE_STORAGE_BACKEND", "S3Storage", "QIYUE_STORAGE_BACKEND='S3Storage'"),
        ("QIYUE_STORAGE_BACKEND", "nowhere_pkg.S3Storage", "not an importable dotted class"),
    ],
)
def test_a_wrong_storage_setting_stops_the_start_naming_the_variable(
    tmp_path, variable, value, message
):
    result = run_python(
        PRINT_STORAGE,
        {"DJANGO_SETTINGS_MODULE": "qiyue.settings", variable: value},
        tmp_path,
    )
    assert result.returncode != 0 and message in result.stderr
