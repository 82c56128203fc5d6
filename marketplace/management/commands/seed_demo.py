"""Demo data, made through the real services (idempotent: existing accounts are kept)."""

from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.models import Company, User
from accounts.selectors import company_of
from accounts.services import company_create, company_verify, user_signup
from marketplace.models import Listing
from marketplace.services.checkout import order_pay, order_place
from marketplace.services.listings import category_create, listing_create, listing_update
from marketplace.services.orders import order_book_shipment

PASSWORD = "trade-demo-2026"
# The demo staff's authenticator key (two-factor sign-in, ewtp/two_factor.py), public like the password: add
# it to an authenticator app, or run `manage.py demo_totp` for the current code. Seeded only for a demo
# staff member without a device of their own. Base32: MVLV IUBN MRSW 23ZN N5TG M2LD MVZC 2MTG.
DEMO_TOTP_KEY = b"eWTP-demo-officer-2f".hex()

CATEGORIES = [  # (path, English, Chinese)
    ("food", "Food and drink", "食品饮料"), ("food/tea", "Tea", "茶叶"),
    ("textiles", "Textiles and clothing", "纺织服装"), ("textiles/scarves", "Scarves", "围巾"),
    ("textiles/fabric", "Fabric", "布料"), ("textiles/shirts", "Shirts", "衬衫"),
    ("home", "Home", "家居"), ("home/ceramics", "Ceramics and tea sets", "陶瓷茶具"), ("home/art", "Wall art", "挂画"),
]
# Per listing title: SKU, category, price tiers (B2B) and flags.
EXTRAS = {
    "Longjing (Dragon Well) green tea, spring harvest, 250 g tin": {
        "sku": "HZ-LJ-250", "category": "food/tea", "tiers": [(20, Decimal("155.00")), (100, Decimal("142.00"))]},
    "Jasmine pearl green tea, 500 g": {"sku": "HZ-JP-500", "category": "food/tea"},
    "Hand-painted silk scarf, West Lake lotus": {"sku": "HZ-SC-LOTUS", "category": "textiles/scarves"},
    "Longquan celadon tea set (6 cups and teapot)": {"sku": "HZ-CEL-6", "category": "home/ceramics"},
    "Longjing green tea, bulk 5 kg bag (for cafés and shops)": {
        "sku": "HZ-LJ-5KG", "category": "food/tea", "b2b_only": True, "retail": False,
        "tiers": [(20, Decimal("2150.00")), (50, Decimal("1980.00"))]},
    "Hand-drawn batik silk scarf (batik tulis)": {"sku": "KL-SC-TULIS", "category": "textiles/scarves"},
    "Batik cotton fabric, 2 m, hibiscus print": {
        "sku": "KL-FAB-2M", "category": "textiles/fabric", "tiers": [(20, Decimal("68.00")), (100, Decimal("61.00"))]},
    "Men's batik shirt, cotton, long sleeve": {"sku": "KL-SHIRT-LS", "category": "textiles/shirts"},
    "Silk batik wall panel, museum grade, 2 x 1 m": {"sku": "KL-PANEL-2X1", "category": "home/art"},
}

SELLERS = [
    {
        "email": "tea@hangzhou-tea.example", "full_name": "Lin Wei", "country": "CN",
        "company": {"legal_name": "Hangzhou West Lake Tea Co., Ltd.", "country": "CN", "city": "Hangzhou",
                    "address": "18 Longjing Road, Xihu District", "postcode": "310013", "currency": "CNY",
                    "tax_id": "91330106MA2H0X1234"},
        "listings": [
            {"title_en": "Longjing (Dragon Well) green tea, spring harvest, 250 g tin",
             "title_zh": "明前龙井绿茶 250克罐装", "hs_code": "090210", "origin_country": "CN",
             "description_en": "Pan-fired green tea from the West Lake hills, picked before Qingming.",
             "description_zh": "西湖龙井，清明前采摘，手工炒制。",
             "price_amount": Decimal("168.00"), "stock": 400, "moq": 1, "weight_kg": Decimal("0.350")},
            {"title_en": "Jasmine pearl green tea, 500 g", "title_zh": "茉莉龙珠绿茶 500克", "hs_code": "090210",
             "origin_country": "CN", "price_amount": Decimal("139.00"), "stock": 250, "moq": 1,
             "weight_kg": Decimal("0.600")},
            {"title_en": "Hand-painted silk scarf, West Lake lotus", "title_zh": "手绘真丝围巾 西湖荷花",
             "hs_code": "621410", "origin_country": "CN", "price_amount": Decimal("320.00"), "stock": 80,
             "moq": 1, "weight_kg": Decimal("0.120")},
            {"title_en": "Longquan celadon tea set (6 cups and teapot)", "title_zh": "龙泉青瓷茶具套装",
             "hs_code": "691110", "origin_country": "CN", "price_amount": Decimal("880.00"), "stock": 30,
             "moq": 1, "weight_kg": Decimal("2.400"), "length_cm": Decimal("40"), "width_cm": Decimal("30"),
             "height_cm": Decimal("20")},
            {"title_en": "Longjing green tea, bulk 5 kg bag (for cafés and shops)", "title_zh": "龙井绿茶 5公斤散装（商用）",
             "hs_code": "090210", "origin_country": "CN",
             "description_en": "Second-flush Longjing for cafés and tea shops; sold to businesses by the bag.",
             "description_zh": "二茬龙井，供咖啡馆和茶店使用，按袋批发。",
             "price_amount": Decimal("2300.00"), "stock": 300, "moq": 5, "weight_kg": Decimal("5.200"),
             "length_cm": Decimal("40"), "width_cm": Decimal("30"), "height_cm": Decimal("15")},
        ],
    },
    {
        "email": "batik@kl-batik.example", "full_name": "Nurul Aina", "country": "MY",
        "company": {"legal_name": "Kuala Lumpur Batik Sdn. Bhd.", "country": "MY", "city": "Kuala Lumpur",
                    "address": "22 Jalan Tuanku Abdul Rahman", "postcode": "50100", "currency": "MYR",
                    "tax_id": "C20304050607"},
        "listings": [
            {"title_en": "Hand-drawn batik silk scarf (batik tulis)", "title_zh": "手绘蜡染真丝围巾",
             "hs_code": "621410", "origin_country": "MY", "price_amount": Decimal("189.00"), "stock": 60,
             "moq": 1, "weight_kg": Decimal("0.100")},
            {"title_en": "Batik cotton fabric, 2 m, hibiscus print", "title_zh": "扶桑花蜡染棉布 2米",
             "hs_code": "520852", "origin_country": "MY", "price_amount": Decimal("75.00"), "stock": 300,
             "moq": 2, "weight_kg": Decimal("0.250")},
            {"title_en": "Men's batik shirt, cotton, long sleeve", "title_zh": "男士蜡染棉质长袖衬衫",
             "hs_code": "620520", "origin_country": "MY", "price_amount": Decimal("159.00"), "stock": 120,
             "moq": 1, "weight_kg": Decimal("0.300")},
            {"title_en": "Silk batik wall panel, museum grade, 2 x 1 m", "title_zh": "真丝蜡染挂画 2×1米",
             "hs_code": "621410", "origin_country": "MY", "price_amount": Decimal("6800.00"), "stock": 5,
             "moq": 1, "weight_kg": Decimal("0.900")},
        ],
    },
]

BUYERS = [
    {"email": "buyer.gb@example.com", "full_name": "Oliver Bennett", "country": "GB", "preferred_currency": "GBP",
     "address_line": "12 Camden High Street", "city": "London", "postcode": "NW1 0JH"},
    {"email": "buyer.de@example.com", "full_name": "Anna Schmidt", "country": "DE", "preferred_currency": "EUR",
     "address_line": "Torstraße 45", "city": "Berlin", "postcode": "10119"},
    # Named as an entity on the OFAC SDN list (CUBA programme): its orders are held for a denied-party match.
    {"email": "orders@tropic-tours.example", "full_name": "Tropic Tours GmbH", "country": "DE",
     "preferred_currency": "EUR", "address_line": "Friedrichstraße 120", "city": "Berlin", "postcode": "10117"},
]
# Orders that the demo pays, ships and puts through customs clearance, so that the officer's queue
# and the sellers' customs pages have something in every state:
# (key, buyer, seller, listing title, quantity, claim preferential origin at booking, the officer rejects).
CLEARANCE_DEMO = [
    ("auto-1", "buyer.gb@example.com", "tea@hangzhou-tea.example", "Jasmine pearl green tea, 500 g", 1, False, False),
    ("auto-2", "buyer.de@example.com", "batik@kl-batik.example", "Men's batik shirt, cotton, long sleeve", 1, False,
     False),
    ("denied-party", "orders@tropic-tours.example", "tea@hangzhou-tea.example",
     "Longjing (Dragon Well) green tea, spring harvest, 250 g tin", 2, False, False),
    ("proof-of-origin", "buyer.gb@example.com", "batik@kl-batik.example", "Hand-drawn batik silk scarf (batik tulis)",
     1, True, False),
    ("rejected", "orders@tropic-tours.example", "tea@hangzhou-tea.example", "Jasmine pearl green tea, 500 g", 3, False,
     True),
]
SANDBOX_CARD = "4242424242424242"


class Command(BaseCommand):
    help = "Create the demo companies, listings, buyers, customs officer and staff (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        admin = self._user("admin@ewtp.example", "Platform Admin", "GB", superuser=True)
        categories = {}
        for path, name_en, name_zh in CATEGORIES:
            parent_path, _, slug = path.rpartition("/")
            categories[path] = category_create(name_en=name_en, name_zh=name_zh, slug=slug,
                                               parent=categories.get(parent_path))
        for seller in SELLERS:
            user = self._user(seller["email"], seller["full_name"], seller["country"])
            company = company_of(user) or company_create(owner=user, **seller["company"])
            if not company.is_verified:
                company_verify(company=company, staff=admin, approve=True)
            for data in seller["listings"]:
                extras = dict(EXTRAS.get(data["title_en"], {}))
                tiers = extras.pop("tiers", [])
                if "category" in extras:
                    extras["category"] = categories[extras["category"]]
                existing = Listing.objects.filter(company=company, title_en=data["title_en"]).first()
                if existing is None:
                    listing_create(user=user, data={**data, **extras}, publish=True, tiers=tiers)
                elif existing.category_id is None:  # a demo made before categories: bring it up to date
                    listing_update(user=user, listing_id=existing.pk, data=extras, tiers=tiers)
        # A company waiting for verification, for the staff page (/staff/companies/).
        pending = self._user("coffee@chiangmai-coffee.example", "Somchai Kaewkla", "TH")
        if company_of(pending) is None:
            company_create(owner=pending, legal_name="Chiang Mai Highland Coffee Co., Ltd.", country="TH",
                           city="Chiang Mai", address="99 Nimmanhaemin Road", postcode="50200",
                           currency="THB", registration_number="0505561001234",
                           contact_name="Somchai Kaewkla", contact_phone="+66 53 123 456")
        for buyer in BUYERS:
            user = self._user(buyer["email"], buyer["full_name"], buyer["country"])
            for field in ("preferred_currency", "address_line", "city", "postcode"):
                setattr(user, field, buyer[field])
            user.save()
        # Each staff role holds only its own permissions (ewtp/roles.py); none of them is is_staff.
        from ewtp import roles

        officer = self._staff("officer@ewtp.example", "Customs Officer Chen", roles.CUSTOMS_OFFICERS)
        self._staff("finance@ewtp.example", "Finance Officer Okafor", roles.FINANCE)
        self._staff("compliance@ewtp.example", "Compliance Officer Novak", roles.COMPLIANCE)
        for scenario in CLEARANCE_DEMO:
            self._clearance_demo(*scenario, officer=officer)
        self.stdout.write(self.style.SUCCESS(
            f"Demo ready: {Company.objects.count()} companies, {Listing.objects.count()} listings.\n"
            f"Demo logins (password for all: {PASSWORD}; the four staff logins also ask for an authenticator\n"
            "code: `.venv/bin/python manage.py demo_totp` prints it, or add the key in the README to an app):\n"
            "  seller (China)     tea@hangzhou-tea.example\n"
            "  seller (Malaysia)  batik@kl-batik.example\n"
            "  seller (pending)   coffee@chiangmai-coffee.example  (staff verify it at /staff/companies/)\n"
            "  buyer (UK)         buyer.gb@example.com\n"
            "  buyer (Germany)    buyer.de@example.com\n"
            "  buyer on a denied-party list  orders@tropic-tours.example\n"
            "  customs officer    officer@ewtp.example  (/customs/console/)\n"
            "  finance            finance@ewtp.example  (/payments/staff/, refunds, payouts, ledger)\n"
            "  compliance         compliance@ewtp.example  (/staff/companies/)\n"
            "  platform staff     admin@ewtp.example  (/admin/)"))

    def _clearance_demo(self, key: str, buyer_email: str, seller_email: str, title: str, quantity: int,
                        claim_preference: bool, reject: bool, *, officer: User) -> None:
        """Order, pay, book and clear one shipment through the real services, running the worker's
        steps here (the worker finishes what waits: the authority's answer, the parcel's journey)."""
        from customs.domain.states import AUTOMATIC
        from customs.models import ClearanceCase
        from customs.services import case_reject, case_step
        from logistics.services import shipment_book

        buyer, seller = User.objects.get(email=buyer_email), User.objects.get(email=seller_email)
        key = f"demo-clearance-{key}"
        if buyer.orders.filter(idempotency_key=key).exists():
            return  # seeded by an earlier run
        listing = Listing.objects.get(company=company_of(seller), title_en=title)
        order = order_place(buyer=buyer, listing_id=listing.pk, quantity=quantity, idempotency_key=key)
        order_pay(buyer=buyer, order_id=order.pk, card_number=SANDBOX_CARD)
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
