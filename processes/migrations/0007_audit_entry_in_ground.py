# The audit chain moved to the ground app (ground 0001); the column and its rows are unchanged.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("processes", "0006_fund_movement_kinds"),
        ("ground", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="fundmovement",
                    name="audit_entry",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to="ground.auditentry"),
                ),
            ],
            database_operations=[],
        ),
    ]
