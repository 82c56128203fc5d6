"""The Compliance staff role clears or refuses checkouts held for compliance (ewtp/roles.py
REVIEW_COMPLIANCE_HOLD)."""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("marketplace")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Compliance")
    group.permissions.add(Permission.objects.get(content_type__app_label="marketplace",
                                                 codename="review_compliancehold"))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="Compliance"):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="marketplace",
                                                            codename="review_compliancehold"))


class Migration(migrations.Migration):

    dependencies = [
        ("marketplace", "0012_compliance_hold"),
        ("ewtp", "0004_user_model_in_accounts"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
