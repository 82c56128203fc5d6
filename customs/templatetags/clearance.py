"""`{{ finding.kind|reason }}`: a hold reason in words for officers (the code stays in filters and the API)."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

REASONS = {
    "denied_party": _("Denied-party match"),
    "high_value": _("High value"),
    "new_seller": _("New seller"),
    "undervaluation": _("Undervaluation"),
    "hs_mismatch": _("HS code vs description"),
    "preference_without_proof": _("No proof of origin"),
    "duty_mismatch": _("Duties differ from paid"),
    "incomplete_declaration": _("Incomplete declaration"),
    "not_assessed": _("Not assessed"),
    "carrier_conflict": _("Carrier reported delivery before release"),
    "restricted_goods:licence_required": _("Licence required"),
    "restricted_goods:prohibited": _("Prohibited goods"),
}


@register.filter
def reason(kind: str) -> str:
    return REASONS.get(kind, kind.replace("_", " "))
