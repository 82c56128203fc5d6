"""Users, seller companies and membership.

The tables keep the names the marketplace app gave them (`marketplace_user`, `marketplace_company`,
`marketplace_companymember`): accounts took the models over without moving a row (issue 13,
accounts/migrations/0001_initial)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from ewtp.files import private_storage
from ewtp.validators import country_validator, currency_validator


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """Logs in with an email address. Whether someone sells, buys or clears customs follows from
    their company membership and groups, not from a field that could disagree with them."""

    username = None
    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True, validators=[country_validator])
    preferred_currency = models.CharField(_("currency"), max_length=3, blank=True, validators=[currency_validator])
    # Default ship-to address for buyers.
    address_line = models.CharField(_("address"), max_length=300, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    # The language emails and notifications are written in: the page's at sign-up, changed on the profile page.
    language = models.CharField(_("language for emails"), max_length=10, choices=settings.LANGUAGES,
                                default=settings.LANGUAGE_CODE, db_default=settings.LANGUAGE_CODE)

    class Screening(models.TextChoices):
        CLEAR = "", _("Clear")  # no denied-party match at sign-up
        FLAGGED = "flagged", _("Flagged for review")  # the name matched a list entry: checkouts wait for staff
        CLEARED = "cleared", _("Cleared by staff")  # staff looked at the match and cleared the buyer

    # Denied-party screening at sign-up (accounts.services.user_signup); the hits as the staff see them.
    # db_default: rows written by code that predates these columns (a migration run back) are clear.
    screening = models.CharField(max_length=10, choices=Screening.choices, default=Screening.CLEAR, blank=True,
                                 db_default="")
    screening_hits = models.JSONField(default=list, blank=True, db_default=[])

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta(AbstractUser.Meta):
        # The tables were made by the marketplace app before accounts owned these models (issue 13);
        # the many-to-many tables follow the name: marketplace_user_groups, marketplace_user_user_permissions.
        db_table = "marketplace_user"

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]

    @property
    def is_seller(self) -> bool:
        """A member of a seller company (asked once per user object: see accounts.selectors.company_of)."""
        from accounts.selectors import company_of

        return company_of(self) is not None


def licence_path(instance, filename: str) -> str:
    """A random name; the extension is the detected kind the service gave, never the uploader's."""
    import uuid

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"licences/{uuid.uuid4().hex}.{ext if ext in ('pdf', 'png', 'jpg') else 'bin'}"


class Company(models.Model):
    class Verification(models.TextChoices):
        PENDING = "pending", _("Pending review")  # submitted, waiting for staff
        VERIFIED = "verified", _("Verified")  # may publish listings
        REJECTED = "rejected", _("Rejected")  # staff gave a reason; the seller may fix and resubmit

    legal_name = models.CharField(_("legal name"), max_length=200)
    country = models.CharField(_("country"), max_length=2, validators=[country_validator])
    city = models.CharField(_("city"), max_length=100)
    address = models.CharField(_("address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=60, blank=True)
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3, validators=[currency_validator])
    verification = models.CharField(max_length=10, choices=Verification.choices, default=Verification.PENDING)
    verification_reason = models.CharField(max_length=500, blank=True)
    vat_number = models.CharField(_("VAT number"), max_length=20, blank=True)
    eori_number = models.CharField(_("EORI number"), max_length=20, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    # Private (ewtp/files.py): served only to the company's members and compliance staff.
    business_licence = models.FileField(_("business licence"), upload_to=licence_path, storage=private_storage,
                                        blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "marketplace_company"  # made by the marketplace app before accounts owned it (issue 13)
        verbose_name_plural = "companies"
        permissions = [("verify_company", "Can verify or reject a company and read its licence")]
        constraints = [
            models.CheckConstraint(condition=Q(verification__in=["pending", "verified", "rejected"]),
                                   name="company_verification_valid"),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED


class CompanyMember(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, default="owner")

    class Meta:
        db_table = "marketplace_companymember"
        constraints = [models.UniqueConstraint(fields=["company", "user"], name="one_membership_per_company")]
