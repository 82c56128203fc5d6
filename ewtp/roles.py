"""Staff roles: each a Django group holding only the permissions its work needs.

The superuser stands apart (every permission, and the Django admin). Nobody else is `is_staff`
for the sake of a console: pages and API actions check a permission, never `is_staff`.
The data migration ewtp/0002_staff_roles makes these groups; `role_group` makes one again
where a test flushed the database.
"""

from __future__ import annotations

CUSTOMS_OFFICERS = "Customs officers"
FINANCE = "Finance"
COMPLIANCE = "Compliance"
DISPUTES = "Dispute resolution"

# Permissions as "app_label.codename". Pages and APIs name these same strings.
DECIDE_CLEARANCE = "customs.decide_clearancecase"  # the customs console, case decisions and documents
VIEW_PAYMENTS = "payments.view_payment"  # the payments console: payments and their refunds
REFUND_PAYMENT = "payments.refund_payment"  # refund (part of) an order's share
VIEW_PAYOUTS = "payments.view_payout"  # seller payouts
VIEW_LEDGER = "payments.view_ledgertransaction"  # the double-entry ledger
VIEW_ADVANCES = "finance.view_advance"  # trade finance: sellers' advances and the platform's exposure
VIEW_SETTLEMENTS = "duties.view_authoritysettlement"  # duty settlements with the authorities, VAT returns
VERIFY_COMPANY = "accounts.verify_company"  # company verification and business licences
REVIEW_COMPLIANCE_HOLD = "marketplace.review_compliancehold"  # checkouts held for denied-party matches
DECIDE_DISPUTE = "disputes.decide_dispute"  # the disputes queue, decisions, and every dispute's evidence
VIEW_STAFF_ACTIONS = "ewtp.view_staffaction"  # the audit trail (superusers only: no group has it)

ROLES: dict[str, tuple[str, ...]] = {
    CUSTOMS_OFFICERS: (DECIDE_CLEARANCE, "customs.view_clearancecase"),
    FINANCE: (VIEW_PAYMENTS, REFUND_PAYMENT, VIEW_PAYOUTS, VIEW_LEDGER, VIEW_ADVANCES, VIEW_SETTLEMENTS),
    COMPLIANCE: (VERIFY_COMPANY, "accounts.view_company", REVIEW_COMPLIANCE_HOLD),
    DISPUTES: (DECIDE_DISPUTE, "disputes.view_dispute"),
}


def role_group(name: str):
    """The role's group with exactly its permissions (made if missing)."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    group, _ = Group.objects.get_or_create(name=name)
    wanted = Q(pk__in=[])
    for perm in ROLES[name]:
        app_label, codename = perm.split(".")
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    perms = list(Permission.objects.filter(wanted))
    if len(perms) != len(ROLES[name]):
        raise LookupError(f"Missing permissions for the {name} role: run the migrations.")
    group.permissions.set(perms)
    return group
