"""Writes: erasure (GDPR art. 17, PIPL art. 47) and the purge of kept records after their retention period.

`erasure_request` anonymises the user at once, in one transaction: the account (closed: it can no longer
sign in), saved addresses, cart, RFQ messages, API tokens, two-factor devices, sign-in records, and the
contact details of a seller company they alone ran. What a law makes us keep stays as it is — orders (as
invoices), payments and the ledger, shipments and customs cases with the name and address they were made
with — until its retention period is over (settings PRIVACY_*_RETENTION_DAYS). `erasure_purge` then
anonymises those too (beat: privacy.tasks.erasure_purge_due). The ledger holds no personal data and is
never touched: it balances before and after.

privacy/ sits above every other app and writes their records directly here (an erasure has to reach all
of them); no other app imports it.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from accounts.models import Company, User
from customs.models import ClearanceCase
from ewtp.exceptions import ApplicationError, Conflict
from ewtp.files import private_storage
from logistics.models import Shipment
from marketplace.models import Cart, Listing, Order, Rfq
from payments.models import Payment
from privacy.models import ErasureRequest
from privacy.selectors import erasure_obligations

logger = logging.getLogger(__name__)
ERASED_NAME = "[erased]"
ERASED_DOMAIN = "erased.invalid"  # RFC 2606: never delivered


class OpenObligations(Conflict):
    """Erasure refused while the user still owes or is owed something; `obligations` says what."""

    def __init__(self, obligations: list[str]):
        super().__init__(_("Your data cannot be erased yet: %(what)s") % {"what": " ".join(obligations)},
                         code="open_obligations")
        self.obligations = obligations

    def as_json(self) -> dict:
        data = super().as_json()
        data["error"]["obligations"] = self.obligations
        return data


def email_digest(email: str) -> str:
    """A keyed digest of an email address: finds the person's name in kept records without keeping it."""
    return salted_hmac("privacy.erasure.email", (email or "").strip().lower(), algorithm="sha256").hexdigest()


def _erased_party(party: dict | None) -> dict:
    """A shipper or consignee with nothing left that points at a person; the country stays (customs and
    VAT statistics need it)."""
    party = party or {}
    return {"name": ERASED_NAME, "company": party.get("company", ""),
            "lines": [], "city": "", "postcode": "", "country": party.get("country", "")}


def _anonymise_user(user: User) -> str:
    placeholder = f"erased-{user.pk}-{secrets.token_hex(4)}@{ERASED_DOMAIN}"
    user.email = placeholder
    user.full_name = user.first_name = user.last_name = ""
    user.address_line = user.city = user.postcode = user.country = ""
    user.is_active = False
    user.last_login = None
    user.set_unusable_password()  # also ends every session: their auth hash no longer matches
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    return placeholder


def _delete_security_records(user: User, old_email: str) -> dict:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from rest_framework.authtoken.models import Token

    return {
        "api_tokens": Token.objects.filter(user=user).delete()[0],
        "two_factor_devices": TOTPDevice.objects.filter(user=user).delete()[0],
        "sign_in_records": sum(model.objects.filter(username__iexact=old_email).delete()[0]
                               for model in (AccessAttempt, AccessFailureLog, AccessLog)),
    }


def _delete_notifications(user: User) -> int:
    """What the platform told the user (names, reasons, amounts) and their email choices: nothing to keep."""
    from notifications.models import EmailPreference, Notification

    EmailPreference.objects.filter(user=user).delete()
    return Notification.objects.filter(recipient=user).delete()[0]


def _companies_erase_contact(user: User, old_email: str, old_name: str) -> tuple[list[int], int]:
    """Clear the contact person (the user) from their companies; a company nobody else runs leaves the
    catalog (its listings are suspended: no one could ship them). Its record — legal name, address, tax
    ids — is the company's, kept for the customs and accounting periods."""
    company_ids, suspended = [], 0
    for membership in user.memberships.order_by("id"):
        company = Company.objects.select_for_update().get(pk=membership.company_id)
        company_ids.append(company.pk)
        alone = not company.members.exclude(user=user).filter(user__is_active=True).exists()
        if alone or company.contact_email.lower() == old_email:
            company.contact_email = ""
        if alone or (old_name and company.contact_name == old_name):
            company.contact_name = ""
        if alone:
            company.contact_phone = ""
            suspended += Listing.objects.filter(company=company, status=Listing.Status.PUBLISHED).update(
                status=Listing.Status.SUSPENDED, updated_at=timezone.now())
        company.save(update_fields=["contact_email", "contact_name", "contact_phone"])
    return company_ids, suspended


def erasure_request(*, user: User, password: str) -> ErasureRequest:
    """Erase the user's personal data now (the password confirms it is them). Refused, changing nothing,
    with a wrong password, a second time, or while they have open obligations (`OpenObligations` lists
    them). Locks the user row first, so a double submit waits and then finds the account erased."""
    if not password:
        raise ApplicationError(_("Enter your password to confirm."), code="required", field="password")
    with transaction.atomic():
        locked = User.objects.select_for_update().filter(pk=user.pk).first()
        if locked is None:
            raise ApplicationError(_("No such account."), code="not_found")
        if ErasureRequest.objects.filter(user=locked).exists():
            raise Conflict(_("This account has already been erased."), code="already_erased")
        if not locked.check_password(password):
            raise ApplicationError(_("The password is not right."), code="wrong_password", field="password")
        obligations = erasure_obligations(user=locked)
        if obligations:
            raise OpenObligations(obligations)

        old_email, old_name = locked.email.lower(), locked.full_name
        now = timezone.now()
        deleted = _delete_security_records(locked, old_email)
        deleted["addresses"] = locked.addresses.all().delete()[0]
        deleted["carts"] = Cart.objects.filter(user=locked).delete()[0]
        deleted["notifications"] = _delete_notifications(locked)
        anonymised = {
            "rfq_messages": Rfq.objects.filter(buyer=locked).exclude(message="").update(message=""),
            "payment_client_secrets": Payment.objects.filter(buyer=locked).exclude(client_secret="").update(
                client_secret=""),
        }
        company_ids, anonymised["listings_suspended"] = _companies_erase_contact(locked, old_email, old_name)
        anonymised["companies_contact_cleared"] = len(company_ids)
        kept = {"orders": Order.objects.filter(buyer=locked).count(),
                "payments": Payment.objects.filter(buyer=locked).count(),
                "shipments": Shipment.objects.filter(buyer_id=locked.pk).count(),
                "customs_cases": ClearanceCase.objects.filter(buyer_id=locked.pk).count()}
        placeholder = _anonymise_user(locked)
        erasure = ErasureRequest.objects.create(
            user=locked, placeholder_email=placeholder, email_digest=email_digest(old_email), company_ids=company_ids,
            summary={"deleted": deleted, "anonymised": anonymised, "kept": kept},
            customs_retained_until=now + timedelta(days=settings.PRIVACY_CUSTOMS_RETENTION_DAYS),
            accounting_retained_until=now + timedelta(days=settings.PRIVACY_ACCOUNTING_RETENTION_DAYS))
    logger.info("Erasure %s done for user %s; records kept until %s", erasure.pk, locked.pk,
                erasure.accounting_retained_until.date())
    return erasure


# --- after the retention period ---------------------------------------------------------------------


def _delete_tree(storage, folder: str) -> int:
    """Delete a folder of private files (a shipment's stored papers); they are made again on demand."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return 0
    count = 0
    for name in files:
        storage.delete(f"{folder}/{name}")
        count += 1
    for name in folders:
        count += _delete_tree(storage, f"{folder}/{name}")
    return count


def _purge_customs(erasure: ErasureRequest) -> dict:
    """Shipments and customs cases: the consignee (the user as a buyer) and the sender (the user as a
    seller's staff member, found by the digest of their old email) become "[erased]"; stored papers that
    printed them are deleted."""
    user_id, storage, counts = erasure.user_id, private_storage(), {"shipments": 0, "customs_cases": 0, "papers": 0}

    def was_them(party: dict | None) -> bool:
        return bool(party and party.get("email")) and email_digest(party["email"]) == erasure.email_digest

    theirs = Q(buyer_id=user_id) | Q(company_id__in=erasure.company_ids)
    shipments = Shipment.objects.select_for_update().filter(theirs).order_by("id")
    for shipment in shipments:
        changed = []
        if shipment.buyer_id == user_id and shipment.recipient.get("name") != ERASED_NAME:
            shipment.recipient = _erased_party(shipment.recipient)
            changed.append("recipient")
        if was_them(shipment.sender):
            shipment.sender = _erased_party(shipment.sender)
            changed.append("sender")
        if changed:
            shipment.save(update_fields=[*changed, "updated_at"])
            counts["shipments"] += 1
            counts["papers"] += _delete_tree(storage, f"shipments/{shipment.order_reference}")
    cases = ClearanceCase.objects.select_for_update().filter(theirs).order_by("id")
    for case in cases:
        declaration = dict(case.declaration or {})
        changed = False
        if case.buyer_id == user_id and (declaration.get("consignee") or {}).get("name") != ERASED_NAME:
            declaration["consignee"] = _erased_party(declaration.get("consignee"))
            changed = True
        if was_them(declaration.get("consignor")):
            declaration["consignor"] = _erased_party(declaration.get("consignor"))
            changed = True
        if changed:
            ClearanceCase.objects.filter(pk=case.pk).update(declaration=declaration, updated_at=timezone.now())
            counts["customs_cases"] += 1
    return counts


def _purge_accounting(erasure: ErasureRequest) -> dict:
    """Orders and payments: the ship-to name and address and the card's last digits go; amounts, dates and
    the ship-to country (the place of supply for VAT) stay. A company whose members were all erased loses
    its registration and tax numbers and its business licence file."""
    counts = {"orders": Order.objects.filter(buyer_id=erasure.user_id).exclude(ship_name=ERASED_NAME).update(
        ship_name=ERASED_NAME, ship_address="", ship_city="", ship_postcode="", updated_at=timezone.now())}
    counts["payments"] = Payment.objects.filter(buyer_id=erasure.user_id).exclude(card_last4="").update(
        card_last4="", updated_at=timezone.now())
    counts["companies"] = 0
    for company in Company.objects.select_for_update().filter(pk__in=erasure.company_ids):
        if company.members.filter(user__is_active=True).exists():
            continue  # someone still runs it: its record is theirs to keep
        if company.business_licence:
            company.business_licence.delete(save=False)
        company.registration_number = company.tax_id = company.vat_number = company.eori_number = ""
        company.address, company.postcode = "", ""
        company.save(update_fields=["business_licence", "registration_number", "tax_id", "vat_number", "eori_number",
                                    "address", "postcode"])
        counts["companies"] += 1
    return counts


def erasure_purge(*, erasure_id: int, now=None) -> ErasureRequest | None:
    """Anonymise the kept records of an erased user whose retention periods are over. Idempotent: each
    stage runs once (its `*_purged_at`), the request is `purged` once both have."""
    now = now or timezone.now()
    with transaction.atomic():
        erasure = ErasureRequest.objects.select_for_update().filter(pk=erasure_id).first()
        if erasure is None or erasure.status == ErasureRequest.Status.PURGED:
            return erasure
        summary = dict(erasure.summary)
        if erasure.customs_purged_at is None and erasure.customs_retained_until <= now:
            summary["purged_customs"] = _purge_customs(erasure)
            erasure.customs_purged_at = now
        if erasure.accounting_purged_at is None and erasure.accounting_retained_until <= now:
            summary["purged_accounting"] = _purge_accounting(erasure)
            erasure.accounting_purged_at = now
        if erasure.customs_purged_at and erasure.accounting_purged_at:
            erasure.status = ErasureRequest.Status.PURGED
        erasure.summary = summary
        erasure.save(update_fields=["summary", "customs_purged_at", "accounting_purged_at", "status"])
    return erasure


def erasure_purge_due(*, now=None) -> int:
    """Beat: purge every erasure with a retention period over. Returns how many it purged a stage of."""
    now = now or timezone.now()
    due = ErasureRequest.objects.filter(status=ErasureRequest.Status.ERASED).filter(
        Q(customs_purged_at__isnull=True, customs_retained_until__lte=now)
        | Q(accounting_purged_at__isnull=True, accounting_retained_until__lte=now))
    ids = list(due.values_list("pk", flat=True))
    for erasure_id in ids:
        erasure_purge(erasure_id=erasure_id, now=now)
    return len(ids)
