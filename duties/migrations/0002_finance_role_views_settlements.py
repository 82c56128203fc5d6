"""The Finance staff role reads duty settlements and VAT returns (ewtp/roles.py VIEW_SETTLEMENTS)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("duties")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Finance")
    group.permissions.add(Permission.objects.get(content_type__app_label="duties",
                                                 codename="view_authoritysettlement"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Finance"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="duties",
                                                            codename="view_authoritysettlement"))


class Migration(migrations.Migration):

    dependencies = [
        ("duties", "0001_initial"),
        ("ewtp", "0003_staff_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
