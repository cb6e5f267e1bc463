from django.db import migrations


def create_chain_head(apps, schema_editor):
    apps.get_model("workflow", "AuditChainHead").objects.get_or_create(pk=1)


class Migration(migrations.Migration):
    """The audit chain's head row, and the index the region-scoped queue reads."""

    dependencies = [
        ("workflow", "0001_initial"),
        ("viewflow", "0015_task_scheduled"),
    ]

    operations = [
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
        migrations.RunSQL(
            "CREATE INDEX qiyue_task_queue ON viewflow_task "
            "(owner_permission_content_type_id, owner_permission_obj_pk, owner_permission) "
            "WHERE status = 'NEW'",
            "DROP INDEX qiyue_task_queue",
        ),
    ]
