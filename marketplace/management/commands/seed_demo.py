"""Demo data, made through the real services (idempotent: existing accounts are kept)."""

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import Company, User
from accounts.selectors import company_of
from accounts.services import company_create, company_verify, user_signup
from marketplace.models import Listing, ListingOriginDeclaration
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.listings import (
    category_create,
    listing_create,
    listing_declare_origin,
    listing_update,
)
from marketplace.services.orders import order_book_shipment

PASSWORD = "trade-demo-2026"
DEMO_SELLER_AGE = timedelta(days=365)
# The demo staff's authenticator key (two-factor sign-in, ewtp/two_factor.py), public like the password: add
# it to an authenticator app, or run `manage.py demo_totp` for the current code. Seeded only for a demo
# staff member without a device of their own. Base32: MVLV IUBN MRSW 23ZN N5TG M2LD MVZC 2MTG.
DEMO_TOTP_KEY = b"eWTP-demo-officer-2f".hex()

# The demo's categories, listings (with SKU, category, B2B price tiers and flags per title), sellers, buyers and
# the orders it puts through clearance, in marketplace/data/demo.json (amounts read as Decimals). One buyer,
# Tropic Tours GmbH, is named as an entity on the OFAC SDN list (CUBA programme): its orders are held for a
# denied-party match. `clearance_demo` rows are the orders the demo pays, ships and clears, so that the
# officer's queue and the sellers' customs pages have something in every state: (key, buyer, seller, listing
# title, quantity, claim preferential origin at booking, the officer rejects).
DEMO = json.loads((Path(__file__).resolve().parents[2] / "data" / "demo.json").read_text(encoding="utf-8"),
                  parse_float=Decimal)
SANDBOX_CARD = "4242424242424242"


class Command(BaseCommand):
    help = "Create the demo companies, listings, buyers, customs officer and staff (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        admin = self._user("admin@ewtp.example", "Platform Admin", "GB", superuser=True)
        categories = {}
        for path, name_en, name_zh in DEMO["categories"]:
            parent_path, _, slug = path.rpartition("/")
            categories[path] = category_create(name_en=name_en, name_zh=name_zh, slug=slug,
                                               parent=categories.get(parent_path))
        for seller in DEMO["sellers"]:
            user = self._user(seller["email"], seller["full_name"], seller["country"])
            company = company_of(user) or company_create(owner=user, **seller["company"])
            # The demo sellers have traded here for a year: trade finance (finance/) looks at a seller's age.
            Company.objects.filter(pk=company.pk, created_at__gt=timezone.now() - DEMO_SELLER_AGE).update(
                created_at=timezone.now() - DEMO_SELLER_AGE)
            if not company.is_verified:
                company_verify(company=company, staff=admin, approve=True)
            for data in seller["listings"]:
                extras = dict(DEMO["listing_extras"].get(data["title_en"], {}))
                tiers = extras.pop("tiers", [])
                origin_declaration = extras.pop("origin_declaration", None)
                if "category" in extras:
                    extras["category"] = categories[extras["category"]]
                existing = Listing.objects.filter(company=company, title_en=data["title_en"]).first()
                if existing is None:
                    existing = listing_create(user=user, data={**data, **extras}, publish=True, tiers=tiers)
                elif existing.category_id is None:  # a demo made before categories: bring it up to date
                    listing_update(user=user, listing_id=existing.pk, data=extras, tiers=tiers)
                # what the seller declares for the rule of origin: its quotes claim the preference it meets
                if origin_declaration and not ListingOriginDeclaration.objects.filter(listing=existing).exists():
                    listing_declare_origin(user=user, listing_id=existing.pk, data=origin_declaration)
        # A company waiting for verification, for the staff page (/staff/companies/).
        pending = self._user("coffee@chiangmai-coffee.example", "Somchai Kaewkla", "TH")
        if company_of(pending) is None:
            company_create(owner=pending, legal_name="Chiang Mai Highland Coffee Co., Ltd.", country="TH",
                           city="Chiang Mai", address="99 Nimmanhaemin Road", postcode="50200",
                           currency="THB", registration_number="0505561001234",
                           contact_name="Somchai Kaewkla", contact_phone="+66 53 123 456")
        for buyer in DEMO["buyers"]:
            user = self._user(buyer["email"], buyer["full_name"], buyer["country"])
            for field in ("preferred_currency", "address_line", "city", "postcode"):
                setattr(user, field, buyer[field])
            user.save()
        # Each staff role holds only its own permissions (ewtp/roles.py); none of them is is_staff.
        from ewtp import roles

        officer = self._staff("officer@ewtp.example", "Customs Officer Chen", roles.CUSTOMS_OFFICERS)
        self._staff("finance@ewtp.example", "Finance Officer Okafor", roles.FINANCE)
        compliance = self._staff("compliance@ewtp.example", "Compliance Officer Novak", roles.COMPLIANCE)
        self._staff("disputes@ewtp.example", "Dispute Officer Silva", roles.DISPUTES)
        self._compliance_demo()
        for scenario in DEMO["clearance_demo"]:
            self._clearance_demo(*scenario, officer=officer, compliance=compliance)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {Company.objects.count()} companies, {Listing.objects.count()} listings.\n"
            f"Demo logins (password for all: {PASSWORD}; the five staff logins also ask for an authenticator\n"
            "code: `.venv/bin/python manage.py demo_totp` prints it, or add the key in the README to an app):\n"
            "  seller (China)     tea@hangzhou-tea.example\n"
            "  seller (Malaysia)  batik@kl-batik.example\n"
            "  seller (pending)   coffee@chiangmai-coffee.example  (staff verify it at /staff/companies/)\n"
            "  buyer (UK)         buyer.gb@example.com\n"
            "  buyer (Germany)    buyer.de@example.com\n"
            "  buyer (Japan)      buyer.jp@example.com  (Malaysian tea at CPTPP's rate: its rule of origin is met)\n"
            "  buyer on a denied-party list  orders@tropic-tours.example\n"
            "  customs officer    officer@ewtp.example  (/customs/console/)\n"
            "  finance            finance@ewtp.example  (/payments/staff/, refunds, payouts, ledger)\n"
            "  compliance         compliance@ewtp.example  (/staff/companies/)\n"
            "  disputes           disputes@ewtp.example  (/disputes/staff/)\n"
            "  platform staff     admin@ewtp.example  (/admin/)"))

    def _compliance_demo(self) -> None:
        """A checkout of the Tropic Tours buyer (on the OFAC SDN list), held before payment in the compliance
        queue (/staff/compliance/) for the compliance login to clear or refuse."""
        buyer = User.objects.get(email="orders@tropic-tours.example")
        key = "demo-compliance-held"
        if buyer.orders.filter(idempotency_key=key).exists():
            return
        seller = User.objects.get(email="tea@hangzhou-tea.example")
        listing = Listing.objects.get(company=company_of(seller), title_en="Jasmine pearl green tea, 500 g")
        order_place(buyer=buyer, listing_id=listing.pk, quantity=1, idempotency_key=key)

    def _clearance_demo(self, key: str, buyer_email: str, seller_email: str, title: str, quantity: int,
                        claim_preference: bool, reject: bool, *, officer: User, compliance: User) -> None:
        """Order, pay, book and clear one shipment through the real services, running the worker's
        steps here (the worker finishes what waits: the authority's answer, the parcel's journey). A checkout
        held for compliance is cleared first, so that clearance's own screening is shown holding it too."""
        from customs.domain.states import AUTOMATIC
        from customs.models import ClearanceCase
        from customs.services import case_reject, case_step
        from logistics.services import shipment_book
        from marketplace.models import ComplianceHold
        from marketplace.services.compliance import compliance_hold_clear

        buyer, seller = User.objects.get(email=buyer_email), User.objects.get(email=seller_email)
        key = f"demo-clearance-{key}"
        if buyer.orders.filter(idempotency_key=key).exists():
            return  # seeded by an earlier run
        listing = Listing.objects.get(company=company_of(seller), title_en=title)
        order = order_place(buyer=buyer, listing_id=listing.pk, quantity=quantity, idempotency_key=key)
        hold = ComplianceHold.objects.filter(checkout_id=order.checkout_id, status=ComplianceHold.Status.HELD).first()
        if hold is not None:
            compliance_hold_clear(staff=compliance, hold_id=hold.pk,
                                  reason="Demo: cleared at checkout, so that customs screening holds it again.")
        order_pay(buyer=User.objects.get(pk=buyer.pk), order_id=order.pk, card_number=SANDBOX_CARD)
        shipment = order_book_shipment(user=seller, order_id=order.pk, claim_preference=claim_preference)
        shipment_book(shipment_id=shipment.pk)
        case = ClearanceCase.objects.get(shipment_reference=order.reference)
        while case.status in AUTOMATIC:
            case_step(case_id=case.pk, expected=case.status)
            case.refresh_from_db()
        if reject:
            case_reject(case_id=case.pk, officer=officer,
                        reason="The consignee is on the OFAC SDN list (CUBA programme); no licence was shown.")

    def _staff(self, email: str, full_name: str, role: str) -> User:
        """A user in one staff role and no other (an earlier demo made the officer is_staff: undone)."""
        from ewtp.roles import role_group

        user = self._user(email, full_name, "GB")
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])
        user.groups.add(role_group(role))
        self._demo_authenticator(user)
        return User.objects.get(pk=user.pk)  # fresh permission cache

    def _demo_authenticator(self, user: User) -> None:
        """Staff sign in with a TOTP code too: the demo's device holds the public DEMO_TOTP_KEY, unless the
        user has set up a device of their own (which is kept, and used)."""
        from django_otp.plugins.otp_totp.models import TOTPDevice

        if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            TOTPDevice.objects.create(user=user, name="Demo authenticator", key=DEMO_TOTP_KEY, confirmed=True)

    def _user(self, email: str, full_name: str, country: str, superuser: bool = False) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_signup(email=email, password=PASSWORD, full_name=full_name, country=country)
        if superuser and not user.is_superuser:
            user.is_staff = user.is_superuser = True
            user.save(update_fields=["is_staff", "is_superuser"])
        if superuser:
            self._demo_authenticator(user)
        return user
