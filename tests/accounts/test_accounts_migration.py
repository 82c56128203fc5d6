"""The move of the user model to accounts (issue 13) on a database made before it: users, companies,
memberships, permissions, grants and the admin log survive `manage.py migrate`, and logins work."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

from accounts.management.commands.migrate import TAKEOVER

# main's latest migrations of the apps the move touches, before it
BEFORE = [("marketplace", "0009_checkout_backfill"), ("customs", "0006_tariff_measure_text_fields"),
          ("ewtp", "0003_staff_roles"), ("payments", "0007_refund_payment_permission")]


def _migrate_back_to_before_the_move():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # As main left it: the apps that depend on the user model are applied, accounts' takeover is not.
    MigrationRecorder(connection).record_unapplied(*TAKEOVER)
    return MigrationExecutor(connection).loader.project_state(BEFORE).apps


@pytest.mark.django_db(transaction=True)  # migrations run outside a test's transaction
def test_an_existing_database_keeps_its_users_companies_permissions_and_logins(client):
    # given a database at main's migrations, with a seller, a buyer granted verify_company and an admin log entry
    old = _migrate_back_to_before_the_move()
    OldUser, OldCompany = old.get_model("marketplace", "User"), old.get_model("marketplace", "Company")
    ContentType, Permission = old.get_model("contenttypes", "ContentType"), old.get_model("auth", "Permission")
    company_type = ContentType.objects.get_or_create(app_label="marketplace", model="company")[0]
    verify = Permission.objects.get_or_create(content_type=company_type, codename="verify_company",
                                              defaults={"name": "Can verify or reject a company"})[0]
    seller = OldUser.objects.create(email="old-seller@example.com", country="CN")
    buyer = OldUser.objects.create(email="old-buyer@example.com", country="DE")
    from django.contrib.auth.hashers import make_password

    OldUser.objects.filter(pk__in=[seller.pk, buyer.pk]).update(password=make_password("Old-Password-42"))
    company = OldCompany.objects.create(legal_name="Old Tea Co.", country="CN", city="Hangzhou", address="1 Road",
                                        currency="CNY", verification="verified")
    old.get_model("marketplace", "CompanyMember").objects.create(company=company, user=seller, role="owner")
    buyer.user_permissions.add(verify)
    from django.contrib.admin.models import LogEntry  # the table as main left it; admin's model has not moved

    LogEntry.objects.create(user_id=buyer.pk, content_type_id=company_type.pk, object_id=str(company.pk),
                            object_repr="Old Tea Co.", action_flag=2, change_message="checked")
    types_before = ContentType.objects.count()

    # when it is migrated with this code
    call_command("migrate", verbosity=0)

    # then the same rows are there under accounts, and the old passwords log in
    from django.contrib.contenttypes.models import ContentType as LiveContentType

    from accounts.models import Company, User
    from accounts.selectors import company_of

    assert TAKEOVER in MigrationRecorder(connection).applied_migrations()
    page = client.post("/accounts/login/", {"username": "old-seller@example.com", "password": "Old-Password-42"})
    assert page.status_code == 302 and client.session["_auth_user_id"] == str(seller.pk)
    assert client.get("/sell/").status_code == 200  # the seller dashboard, not the company form
    assert company_of(User.objects.get(pk=seller.pk)) == Company.objects.get(pk=company.pk, legal_name="Old Tea Co.")
    moved_buyer = User.objects.get(email="old-buyer@example.com")
    assert moved_buyer.check_password("Old-Password-42")
    assert moved_buyer.has_perm("accounts.verify_company") and not moved_buyer.has_perm("marketplace.verify_company")
    assert LogEntry.objects.get(object_repr="Old Tea Co.").content_type == LiveContentType.objects.get_for_model(Company)
    assert not LiveContentType.objects.filter(app_label="marketplace", model__in=["user", "company", "companymember"])
    assert LiveContentType.objects.count() == types_before  # moved, not made anew


@pytest.mark.django_db(transaction=True)
def test_the_move_goes_back_and_forth():
    # given a migrated database
    from django.contrib.contenttypes.models import ContentType

    from ewtp.roles import COMPLIANCE, role_group

    role_group(COMPLIANCE)  # a test before may have flushed the migrations' groups
    # when the marketplace is migrated back to before the move, then forward again
    call_command("migrate", "marketplace", "0009_checkout_backfill", verbosity=0)
    assert ContentType.objects.filter(app_label="marketplace", model="company").exists()
    call_command("migrate", verbosity=0)
    # then the content type and the role's permissions are back with accounts, once
    assert ContentType.objects.filter(model="company").values_list("app_label", flat=True).get() == "accounts"
    assert role_group(COMPLIANCE).permissions.filter(content_type__app_label="accounts",
                                                     codename="verify_company").exists()
