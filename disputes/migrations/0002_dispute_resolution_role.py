"""The Dispute resolution staff role (ewtp/roles.py DISPUTES): decides buyers' disputes and reads their evidence."""

from django.db import migrations

PERMS = ["decide_dispute", "view_dispute"]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("disputes")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Dispute resolution")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="disputes", codename__in=PERMS))


def revoke(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Dispute resolution").delete()


class Migration(migrations.Migration):

    dependencies = [
        ("disputes", "0001_initial"),
        ("ewtp", "0003_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
