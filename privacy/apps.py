from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal-data rights (GDPR art. 15, 17, 20; PIPL art. 45, 47): export and erasure. It sits on top
    of the other apps and reads and writes their records; no app imports it."""

    name = "privacy"
    verbose_name = _("Personal data")
    default_auto_field = "django.db.models.BigAutoField"
