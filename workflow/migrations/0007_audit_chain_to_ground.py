# The audit chain's models now belong to the ground app (ground 0001); the tables stay.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("workflow", "0006_notifications_for_work"),
        ("ground", "0001_initial"),
        ("documents", "0004_audit_entry_in_ground"),
        ("processes", "0007_audit_entry_in_ground"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="AuditChainHead"),
            ],
            database_operations=[],
        ),
    ]
