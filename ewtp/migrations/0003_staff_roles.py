"""The staff roles as groups with their permissions (ewtp/roles.py says what each role may do).

The permissions are frozen here as they stood when the roles were made; a later change to a role
gets a migration of its own."""

from django.db import migrations

ROLES = {
    "Customs officers": ["customs.decide_clearancecase", "customs.view_clearancecase"],
    "Finance": ["payments.view_payment", "payments.refund_payment", "payments.view_payout",
                "payments.view_ledgertransaction"],
    "Compliance": ["marketplace.verify_company", "marketplace.view_company"],
}


def make_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally made after all migrations ran; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, perms in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def drop_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Finance", "Compliance"]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("ewtp", "0002_staffaction"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("customs", "0005_private_case_documents"),
        ("marketplace", "0007_company_verify_permission_private_licence"),
        ("payments", "0007_refund_payment_permission"),
    ]

    operations = [migrations.RunPython(make_roles, drop_roles)]
