"""Account writes: sign-up and profile, seller companies (registration, corrections, staff verification)
and membership. One transaction each. (Staff roles, customs officers' among them: ewtp/roles.py.)"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.domain import tax_ids, uploads
from accounts.models import Company, CompanyMember, User
from accounts.selectors import company_get, company_remember
from accounts.signals import company_rejected, company_verified, country_currency, parties_screen
from ewtp.audit import staff_action_record
from ewtp.exceptions import ApplicationError, Conflict, PermissionDenied
from ewtp.filetypes import sniff
from ewtp.fx import fx_table
from ewtp.roles import VERIFY_COMPANY
from ewtp.validators import validate_model


def user_signup(*, email: str, password: str, full_name: str = "", country: str = "",
                preferred_currency: str = "", language: str = "") -> User:
    """A new account; `language` (one of settings.LANGUAGES, else the default) is the one its emails are
    written in, the page's language at sign-up."""
    email = (email or "").strip().lower()
    if not email:
        raise ApplicationError("Enter your email address.", code="required", field="email")
    if User.objects.filter(email__iexact=email).exists():
        raise ApplicationError("An account with this email already exists.", code="duplicate_email", field="email")
    country = (country or "").strip().upper()
    if country and not preferred_currency:  # guessed from the country; the buyer may change it
        preferred_currency = country_currency(country)
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    user = User(email=email, full_name=full_name, country=country, preferred_currency=preferred_currency.upper(),
                language=language)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password", field="password") from exc
    user.set_password(password)
    validate_model(user, exclude=["password"])
    # Denied-party screening: a match does not stop the sign-up, it flags the account for staff, and the
    # buyer's checkouts wait for them (marketplace.services.checkout) until they clear it.
    hits = parties_screen([("buyer", full_name, country)])
    if hits:
        user.screening, user.screening_hits = User.Screening.FLAGGED, hits
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # two sign-ups racing for the same email
        raise ApplicationError("An account with this email already exists.", code="duplicate_email",
                               field="email") from exc
    return user


COMPANY_FIELDS = ("legal_name", "country", "city", "address", "postcode", "registration_number", "tax_id", "currency",
                  "vat_number", "eori_number", "contact_name", "contact_email", "contact_phone")


def _check_company(company: Company, licence) -> None:
    company.country, company.currency = company.country.upper(), company.currency.upper()
    for field in ("legal_name", "city", "address"):
        if not getattr(company, field).strip():
            raise ApplicationError("This field is required.", code="required", field=field)
    validate_model(company, exclude=["business_licence"])
    if not fx_table().supports(company.currency):
        raise ApplicationError(f"We have no exchange rate for {company.currency}; choose a currency such as USD, "
                               "EUR or your own if the ECB quotes it.", code="unsupported_currency", field="currency")
    try:
        if company.vat_number:
            company.vat_number = tax_ids.vat_check(company.vat_number, company.country)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_vat", field="vat_number") from exc
    try:
        if company.eori_number:
            company.eori_number = tax_ids.eori_check(company.eori_number, company.country)
    except ValueError as exc:
        raise ApplicationError(str(exc), code="invalid_eori", field="eori_number") from exc
    if licence is not None:
        licence.seek(0)
        head = licence.read(16)
        licence.seek(0)
        problem = uploads.licence_problem(head, licence.size)
        if problem:
            raise ApplicationError(problem, code="invalid_licence", field="business_licence")


def _store_licence(company: Company, licence) -> None:
    kind = sniff(licence.read(16))
    licence.seek(0)
    # A name of our own: the uploader's file name never reaches the storage.
    company.business_licence.save(f"company-{company.pk}-{uuid.uuid4().hex[:8]}.{kind}", licence, save=False)
    company.save(update_fields=["business_licence"])


def company_create(*, owner: User, legal_name: str, country: str, city: str, address: str, currency: str,
                   postcode: str = "", tax_id: str = "", registration_number: str = "", vat_number: str = "",
                   eori_number: str = "", contact_name: str = "", contact_email: str = "", contact_phone: str = "",
                   business_licence=None) -> Company:
    """Register the owner's company; it waits for staff verification before it may publish."""
    company = Company(legal_name=legal_name.strip(), country=country, city=city, address=address, postcode=postcode,
                      currency=currency, tax_id=tax_id, registration_number=registration_number,
                      vat_number=vat_number, eori_number=eori_number, contact_name=contact_name,
                      contact_email=contact_email or owner.email, contact_phone=contact_phone,
                      submitted_at=timezone.now())
    _check_company(company, business_licence)
    with transaction.atomic():
        if owner.memberships.exists():
            raise Conflict("You already belong to a company.", code="already_member")
        company.save()
        CompanyMember.objects.create(company=company, user=owner, role="owner")
        if business_licence is not None:
            _store_licence(company, business_licence)
    company_remember(owner, company)
    return company


def company_update(*, user: User, data: dict, business_licence=None) -> Company:
    """The seller corrects the company's details; a rejected company goes back to staff for review."""
    owned = seller_company(user)
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=owned.pk)
        for key in COMPANY_FIELDS:
            if key in data:
                setattr(company, key, data[key] if data[key] is not None else "")
        _check_company(company, business_licence)
        if company.verification == Company.Verification.REJECTED:
            company.verification = Company.Verification.PENDING
            company.submitted_at = timezone.now()
        company.save()
        if business_licence is not None:
            _store_licence(company, business_licence)
    return company


def company_screen(company: Company) -> list[dict]:
    """Denied-party hits for the company's legal name and its contact (what the reviewing staff see)."""
    return parties_screen([("seller", company.legal_name, company.country),
                           ("seller contact", company.contact_name, company.country)])


def company_verify(*, company: Company, staff: User, approve: bool, reason: str = "",
                   override_reason: str = "") -> Company:
    """Compliance staff verify a company (it may publish) or reject it with the reason the seller sees;
    the audit trail records who decided. A company whose name matches a denied-party list entry is
    verified only with an `override_reason` (the staff member's own, audited with the list entries),
    else refused (DeniedPartyMatch); rejecting it needs none."""
    if not staff.has_perm(VERIFY_COMPANY):
        raise PermissionDenied("Only compliance staff verify companies.")
    if not approve and not reason.strip():
        raise ApplicationError("Give the reason for the rejection.", code="reason_required", field="reason")
    if len(reason) > 500:
        raise ApplicationError("Keep the reason under 500 characters.", code="too_long", field="reason")
    override_reason = (override_reason or "").strip()
    if len(override_reason) > 500:
        raise ApplicationError("Keep the reason under 500 characters.", code="too_long", field="override_reason")
    with transaction.atomic():
        company = Company.objects.select_for_update().get(pk=company.pk)
        hits = company_screen(company) if approve else []
        if hits and not override_reason:
            raise DeniedPartyMatch(hits)
        company.verification = Company.Verification.VERIFIED if approve else Company.Verification.REJECTED
        company.verification_reason = reason.strip()
        company.verified_at = timezone.now() if approve else None
        company.save(update_fields=["verification", "verification_reason", "verified_at"])
        staff_action_record(actor=staff, action="company.verify" if approve else "company.reject",
                            target=f"company {company.pk}", name=company.legal_name, reason=reason.strip())
        if hits:  # verified over a denied-party match: the override and the entries it overrode
            staff_action_record(actor=staff, action="company.screening_override", target=f"company {company.pk}",
                                name=company.legal_name, override_reason=override_reason,
                                entries="; ".join(f"{h['list']} {h['entry_id']} {h['listed_name']} ({h['score']})"
                                                  for h in hits))
        if not approve:  # a rejected company's listings leave the catalog (marketplace/receivers.py)
            company_rejected.send(sender=Company, company=company)
        else:
            transaction.on_commit(lambda: company_verified.send(sender=Company, company=company), robust=True)
    return company


class DeniedPartyMatch(Conflict):
    """The company matches a denied-party list entry: staff verify it only with an override reason."""

    def __init__(self, hits: list[dict]) -> None:
        named = "; ".join(f"'{h['name']}' matches '{h['matched_name']}' on {h['list']} (entry {h['entry_id']}, "
                          f"score {h['score']:.0f})" for h in hits)
        super().__init__(f"Denied-party screening: {named}. Verify only with an override reason of your own "
                         "(it is audited), or reject the company.", code="denied_party_match",
                         field="override_reason")
        self.hits = hits

    def as_json(self) -> dict:
        data = super().as_json()
        data["error"]["hits"] = self.hits
        return data


def seller_company(user: User) -> Company:
    """The company a service acts for, read afresh (its verification may have changed since the page
    asked company_of); a user of no company may not."""
    company = company_remember(user, company_get(user)) if user.is_authenticated else None
    if company is None:
        raise PermissionDenied("Only members of a seller company can do this.", code="not_a_seller")
    return company


def profile_update(*, user: User, data: dict) -> User:
    """Save the profile; a blank currency is guessed from the country (changeable afterwards)."""
    for key in ("full_name", "country", "preferred_currency", "address_line", "city", "postcode", "language"):
        if key in data:
            setattr(user, key, (data[key] or "").strip())
    user.country = user.country.upper()
    user.preferred_currency = (user.preferred_currency or "").upper() or (
        country_currency(user.country) if user.country else "")
    validate_model(user, exclude=["password"])
    with transaction.atomic():
        user.save()
    return user
