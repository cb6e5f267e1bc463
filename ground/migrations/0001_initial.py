# The audit chain's models move from workflow to ground; their tables and rows stay as they are
# (state only: workflow_auditentry and workflow_auditchainhead keep their names).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("workflow", "0006_notifications_for_work"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditChainHead",
                    fields=[
                        ("id", models.PositiveSmallIntegerField(default=1, editable=False, primary_key=True, serialize=False)),
                        ("seq", models.PositiveBigIntegerField(default=0)),
                        ("hash", models.CharField(default="0000000000000000000000000000000000000000000000000000000000000000", max_length=64)),
                    ],
                    options={
                        "verbose_name": "audit chain head",
                        "db_table": "workflow_auditchainhead",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("seq", models.PositiveBigIntegerField(editable=False, unique=True)),
                        ("at", models.DateTimeField(editable=False, verbose_name="time")),
                        ("actor_name", models.CharField(blank=True, max_length=150, verbose_name="actor")),
                        ("act", models.CharField(max_length=64, verbose_name="act")),
                        ("object_type", models.CharField(max_length=100)),
                        ("object_id", models.CharField(max_length=64)),
                        ("project_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                        ("before", models.JSONField(blank=True, default=dict)),
                        ("after", models.JSONField(blank=True, default=dict)),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("prev_hash", models.CharField(editable=False, max_length=64)),
                        ("hash", models.CharField(editable=False, max_length=64, unique=True)),
                        ("actor", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="actor")),
                    ],
                    options={
                        "verbose_name": "audit entry",
                        "verbose_name_plural": "audit entries",
                        "ordering": ["seq"],
                        "db_table": "workflow_auditentry",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
