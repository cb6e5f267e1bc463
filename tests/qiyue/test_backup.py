"""manage.py backup / restore: a county backed up, restored into a new empty database by a
separate process (as an administrator would), and found whole: the same rows, processes and
tasks, papers whose files hash and verify, the audit chain, the keys, and a user who can act."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from viewflow.workflow.models import Process, Task

from documents import pki
from documents.models import Batch, DocumentVersion
from ground.models import AuditEntry
from permissions.models import User
from processes import demo
from processes.models import ImplementationMode
from qiyue import backup

from ..factories import PASSWORD
from ..flowdriver import Driver

ROOT = Path(settings.BASE_DIR)
PASSPHRASE = "correct horse battery staple 2026"


@pytest.fixture
def county(cast, settings, django_capture_on_commit_callbacks):
    """Two projects in township A at different stages (signed approval reply, the households'
    agreements batch) and one just applied for in township B."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    for user in cast.users.values():  # a hash the restoring process can check
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    driver = Driver(cast, "A1")
    with django_capture_on_commit_callbacks(execute=True):  # papers and batches are produced
        subsidy = driver.start(name="乐丰村竹荪项目")
        demo.advance_to(subsidy, "progress_report")
        equity = driver.start(
            mode=ImplementationMode.EQUITY_DIVIDEND, funds="300000.00", name="乐丰村生猪养殖项目"
        )
        demo.advance_to(equity, "township_review")
        Driver(cast, "B1").start(name="牛场村蔬菜项目")
    return {"subsidy": subsidy, "equity": equity}


def _target(tmp_path):
    """A new empty database for the restoring process: a fresh SQLite file, or a second
    database on the test's PostgreSQL server (dropped afterwards)."""
    if connection.vendor != "postgresql":
        (tmp_path / "restored").mkdir()
        return f"sqlite:///{tmp_path / 'restored' / 'qiyue.sqlite3'}", None
    import psycopg

    s = connection.settings_dict
    name = f"qiyue_restore_{uuid.uuid4().hex[:8]}"
    params = {"host": s["HOST"], "port": s["PORT"], "user": s["USER"], "password": s["PASSWORD"]}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    auth = f"{s['USER']}:{s['PASSWORD']}@" if s["PASSWORD"] else f"{s['USER']}@"
    return f"postgres://{auth}{s['HOST']}:{s['PORT']}/{name}", drop


def _manage(env, *args, stdin=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=600,
    )


# What the restored site holds, read by a separate process; and one HTTP step there.
CHECK = r"""
import hashlib, json, sys
from django.test import Client
from viewflow.workflow.models import Process, Task
from documents import verification
from documents.models import DocumentVersion
from qiyue import backup
from ground.audit import verify_chain
from workflow.tasks import ScopedTask
arg = json.loads(sys.stdin.read())
papers = []
for v in DocumentVersion.objects.filter(status="ready").order_by("pk"):
    with v.pdf.open("rb") as f:
        data = f.read()
    papers.append([v.pk, hashlib.sha256(data).hexdigest() == v.sha256, verification.check(data).status,
                   [s.signer_name for s in verification.check(data).signatures]])
out = {
    "counts": {m._meta.label_lower: m._base_manager.count() for m in backup.tables()},
    "processes": sorted([p.pk, p.status] for p in Process.objects.all()),
    "tasks": sorted([t.pk, t.status, t.owner_id, t.flow_task.name] for t in Task.objects.all()),
    "papers": papers,
    "audit_intact": verify_chain() is None,
}
client = Client()
login = client.post("/accounts/login/", {"username": arg["username"], "password": arg["password"]})
task = ScopedTask.objects.get(pk=arg["task"])
claim = client.post(task.flow_task.reverse("assign", args=[task.process_id, task.pk]))
task.refresh_from_db()
out["login"], out["claim"] = login.status_code, claim.status_code
out["claimed_by"] = task.owner.username if task.owner else None
print(json.dumps(out))
"""


def _snapshot():
    papers = []
    for v in DocumentVersion.objects.filter(status="ready").order_by("pk"):
        papers.append([v.pk, True, "authentic", [s.signer_name for s in _signatures(v)]])
    return {
        "counts": {m._meta.label_lower: m._base_manager.count() for m in backup.tables()},
        "processes": sorted([p.pk, p.status] for p in Process.objects.all()),
        "tasks": sorted([t.pk, t.status, t.owner_id, t.flow_task.name] for t in Task.objects.all()),
        "papers": papers,
    }


def _signatures(version):
    from documents import verification

    with version.pdf.open("rb") as f:
        return verification.check(f.read()).signatures


def test_a_restored_county_keeps_its_rows_processes_papers_audit_chain_and_keys(
    county, cast, tmp_path, monkeypatch, capsys
):
    from guardian.models import UserObjectPermission

    from workflow.models import Notification

    project = county["equity"]
    task = demo.open_task(project)  # 乡镇审核, waiting in township A's queue
    assert task.flow_task.name == "township_review" and task.owner_id is None
    before = _snapshot()
    counts = before["counts"]
    assert counts["documents.documentversion"] >= 2 and Batch.objects.exists()
    assert counts["workflow.notification"] == Notification.objects.count() > 0
    assert UserObjectPermission.objects.exists() or counts["guardian.groupobjectpermission"]
    assert AuditEntry.objects.count() > 10
    assert all(status == "authentic" for _pk, _ok, status, _names in before["papers"])

    monkeypatch.setenv(backup.PASSPHRASE_ENV, PASSPHRASE)
    archive = tmp_path / "county.tar.gz"
    call_command("backup", str(archive))
    assert "private keys encrypted" in capsys.readouterr().out

    url, drop = _target(tmp_path)
    restored = tmp_path / "restored"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "QIYUE_VAR_DIR": str(restored),
        "QIYUE_KEY_DIR": str(restored / "keys"),
        backup.PASSPHRASE_ENV: PASSPHRASE,
    }
    try:
        done = _manage(env, "restore", str(archive))
        assert done.returncode == 0, done.stderr + done.stdout
        assert "audit chain intact" in done.stdout
        args = {"username": "township_work_station_A", "password": PASSWORD, "task": task.pk}
        checked = _manage(env, "shell", "-c", CHECK, stdin=json.dumps(args))
        assert checked.returncode == 0, checked.stderr
        after = json.loads(checked.stdout.strip().splitlines()[-1])
    finally:
        if drop:
            drop()

    assert after["counts"] == counts
    assert after["processes"] == before["processes"]
    assert after["tasks"] == before["tasks"]
    assert after["papers"] == before["papers"]  # each file hashes to its SHA-256 and verifies
    assert after["audit_intact"] is True
    assert (after["login"], after["claim"], after["claimed_by"]) == (
        302,
        302,
        "township_work_station_A",
    )
    original = Path(os.environ["QIYUE_KEY_DIR"])
    for key in ["ca/ca.key.pem", *(p.relative_to(original) for p in original.glob("orgs/*/*"))]:
        assert (restored / "keys" / key).read_bytes() == (original / key).read_bytes()
    assert (restored / "keys/ca/ca.key.pem").stat().st_mode & 0o777 == 0o600


def _small_archive(tmp_path, name="small.tar.gz", **options):
    pki.create_county_ca("织金县")
    pki.issue_org_key("珠藏镇人民政府", "zhuzang-gov")
    archive = tmp_path / name
    return archive, backup.backup(archive, **options)


def test_an_archive_made_without_a_passphrase_holds_no_private_key(cast, tmp_path, monkeypatch):
    monkeypatch.delenv(backup.PASSPHRASE_ENV, raising=False)
    out, err = io.StringIO(), io.StringIO()
    pki.create_county_ca("织金县")
    pki.issue_org_key("珠藏镇人民政府", "zhuzang-gov")
    call_command("backup", str(tmp_path), stdout=out, stderr=err)

    (archive,) = tmp_path.glob("qiyue-backup-*.tar.gz")
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert not [name for name, data in members.items() if b"PRIVATE KEY" in data]
    assert "keys/ca/ca.cert.pem" in members and "keys/orgs/zhuzang-gov/cert.pem" in members
    manifest = json.loads(members["manifest.json"])
    assert manifest["private_keys_omitted"] == ["ca/ca.key.pem", "orgs/zhuzang-gov/key.pem"]
    assert "2 private key(s) left out" in err.getvalue()
    assert "private keys omitted" in out.getvalue()


def test_an_archive_with_a_passphrase_holds_private_keys_only_sealed(cast, tmp_path):
    archive, summary = _small_archive(tmp_path, passphrase=PASSPHRASE.encode())
    assert summary.private_keys == "encrypted"
    with tarfile.open(archive) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    assert "keys/ca/ca.key.pem.sealed" in members and "keys/ca/ca.key.pem" not in members
    assert not [name for name, data in members.items() if b"PRIVATE KEY" in data]


def test_keys_in_the_clear_only_when_asked_and_with_a_warning(cast, tmp_path):
    archive, summary = _small_archive(tmp_path, keys_in_clear=True)
    with tarfile.open(archive) as tar:
        key = tar.extractfile("keys/ca/ca.key.pem").read()
    assert b"PRIVATE KEY" in key and summary.private_keys == "clear"
    assert any("IN THE CLEAR" in w for w in summary.warnings)


def _rewrite(archive, target, change):
    """A copy of ``archive`` with ``change`` applied to the bytes of some members."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


def test_a_tampered_archive_restores_nothing(cast, tmp_path):
    archive, _ = _small_archive(tmp_path, passphrase=PASSPHRASE.encode())
    users = User.objects.count()

    def edit(name, data):
        return (
            data.replace(b"township_lead_A", b"township_lead_X") if name.startswith("db/") else data
        )

    tampered = _rewrite(archive, tmp_path / "tampered.tar.gz", edit)
    with pytest.raises(
        backup.BackupError, match=r"damaged; nothing was restored.*permissions\.user"
    ):
        backup.restore(tampered, passphrase=PASSPHRASE.encode(), force_replace=True)
    assert User.objects.count() == users
    assert User.objects.filter(username="township_lead_A").exists()


def test_a_member_the_manifest_does_not_list_is_refused(cast, tmp_path):
    archive, _ = _small_archive(tmp_path)
    target = tmp_path / "extra.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            out.addfile(member, source.extractfile(member))
        extra = tarfile.TarInfo("media/default/evil.pdf")
        extra.size = 4
        out.addfile(extra, io.BytesIO(b"%PDF"))
    with pytest.raises(backup.BackupError, match="does not list"):
        backup.restore(target, force_replace=True)


def test_restore_refuses_a_database_that_holds_data(cast, tmp_path):
    archive, _ = _small_archive(tmp_path)
    with pytest.raises(backup.BackupError, match=r"target is not empty \(\d+ user account"):
        backup.restore(archive)
    assert User.objects.filter(username="township_lead_A").exists()


def test_restore_refuses_a_wrong_passphrase_before_writing_anything(cast, tmp_path):
    archive, _ = _small_archive(tmp_path, passphrase=PASSPHRASE.encode())
    with pytest.raises(backup.BackupError, match="wrong passphrase"):
        backup.restore(archive, passphrase=b"not the passphrase", force_replace=True)
    with pytest.raises(backup.BackupError, match="encrypted: set QIYUE_BACKUP_PASSPHRASE"):
        backup.restore(archive, passphrase=None, force_replace=True)
    assert User.objects.filter(username="township_lead_A").exists()


def test_every_table_is_in_the_archive_with_its_rows(cast, tmp_path):
    archive, summary = _small_archive(tmp_path)
    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        users = tar.extractfile("db/permissions.user.jsonl").read().decode().splitlines()
    labels = {m._meta.label_lower for m in backup.tables()}
    assert set(manifest["counts"]) == labels
    assert {"viewflow.process", "viewflow.task", "guardian.userobjectpermission"} <= labels
    assert manifest["counts"]["permissions.user"] == User.objects.count() == len(users) - 1
    assert manifest["database"]["vendor"] == connection.vendor
    assert ["workflow", "0001_initial"] in manifest["migrations"]
