"""Forms of the customs pages."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from customs import selectors
from customs.domain.origin import OriginDeclaration
from ewtp.exceptions import ApplicationError
from ewtp.fx import fx_for_quote
from ewtp.money import Money

# Origins offered besides the destinations and the parties to the agreements the book holds.
_MORE_ORIGINS = {"IN": "India", "BD": "Bangladesh", "PK": "Pakistan", "TR": "Türkiye", "MA": "Morocco",
                 "HK": "Hong Kong", "TW": "Taiwan", "MX": "Mexico", "BR": "Brazil", "ZA": "South Africa",
                 "KE": "Kenya", "CH": "Switzerland", "NO": "Norway", "AE": "United Arab Emirates"}
_NAMES = {"CN": "China", "VN": "Viet Nam", "ID": "Indonesia", "PH": "Philippines", "KH": "Cambodia", "LA": "Laos",
          "MM": "Myanmar", "BN": "Brunei", "NZ": "New Zealand", "MX": "Mexico", "PE": "Peru", "CL": "Chile",
          "US": "United States", "GB": "United Kingdom", "JP": "Japan", "KR": "South Korea", "SG": "Singapore",
          "MY": "Malaysia", "TH": "Thailand", "AU": "Australia", "CA": "Canada", "EU": "European Union", **_MORE_ORIGINS}

# Where the engine's and the API's error fields land on this form.
_ERROR_FIELDS = {"origin": "origin", "destination": "destination", "currency": "currency", "incoterm": "incoterm",
                 "shipping": "shipping", "lines[0].hs_code": "hs_code", "lines[0].unit_value": "value",
                 "lines[0].quantity": "quantity", "lines[0].net_weight_kg": "weight"}

RULE_LABELS = {"mfn": _("MFN (standard) duty rate"), "de_minimis": _("Below the threshold: no duty"),
               "manual_assessment": _("Needs manual assessment")}


def _country_name(code: str, book) -> str:
    regime = book.destination(code)
    return regime.name if regime else _NAMES.get(code, code)


class LandedCostForm(forms.Form):
    """One line to any destination the tariff book holds; the quote answers in `currency`."""

    origin = forms.ChoiceField(label=_("Made in (origin)"))
    destination = forms.ChoiceField(label=_("Shipped to (destination)"))
    hs_code = forms.CharField(label=_("HS code"), max_length=14, initial="090210", help_text=_("6 to 10 digits, e.g. 610910 or "
                                                                             "6109100010. Not sure? Search below."))
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000_000, initial=1)
    value = forms.DecimalField(label=_("Price of one item"), min_value=Decimal(0), max_digits=14, decimal_places=4,
                               initial=Decimal("100.00"))
    currency = forms.ChoiceField(label=_("Currency"), help_text=_("Of the price and shipping, and of the answer."))
    shipping = forms.DecimalField(label=_("Shipping and insurance"), min_value=Decimal(0), max_digits=14,
                                  decimal_places=4, initial=Decimal("10.00"))
    weight = forms.DecimalField(label=_("Net weight of one item (kg)"), min_value=Decimal(0), max_digits=12,
                                decimal_places=3, initial=Decimal("1"))
    incoterm = forms.ChoiceField(label=_("Who pays duty and tax"), initial="DDP", choices=[
        ("DDP", _("DDP: the buyer pays everything with the order")),
        ("DAP", _("DAP: the buyer pays duty and tax on delivery"))])
    claim_preference = forms.BooleanField(label=_("Claim a trade-agreement preference (the seller will prove the "
                                                  "origin)"), required=False)
    wholly_obtained = forms.BooleanField(
        label=_("The goods are wholly obtained in the origin country"), required=False,
        help_text=_("Grown, harvested or extracted there, with no foreign material. Other goods meet a rule of "
                    "origin only by their materials: sellers declare them on the listing, and the preference is "
                    "granted only where the rule is met."))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        book = selectors.tariff_book()
        destinations = sorted((r for r in book.destinations() if r.standard_rates or not r.tax_name),
                              key=lambda r: r.name)
        self.fields["destination"].choices = [(r.code, f"{r.name} ({r.code})") for r in destinations]
        origins = {r.code for r in destinations} | set(_MORE_ORIGINS) | {
            party for agreement in book.agreements.values() for party in agreement.parties if party != "EU"}
        self.fields["origin"].choices = sorted(((c, f"{_country_name(c, book)} ({c})") for c in origins),
                                               key=lambda choice: choice[1])
        currencies = sorted({r.currency for r in destinations} | {"EUR", "USD", "CNY"})
        self.fields["currency"].choices = [(c, c) for c in currencies]
        for name, value in (("origin", "CN"), ("destination", "GB"), ("currency", "GBP")):
            self.fields[name].initial = value

    def clean_hs_code(self) -> str:
        return "".join(ch for ch in self.cleaned_data["hs_code"] if ch not in " .-")

    def quote(self) -> dict | None:
        """The quote as the API answers it, with a label per line's rule; None (and the errors at their
        fields) when the input is wrong."""
        if not self.is_valid():
            return None
        data = self.cleaned_data
        currency = data["currency"]
        try:
            quote = selectors.landed_cost_quote(
                origin=data["origin"], destination=data["destination"], currency=currency, fx=fx_for_quote(),
                incoterm=data["incoterm"], shipping=Money(data["shipping"], currency),
                lines=[{"hs_code": data["hs_code"], "quantity": data["quantity"],
                        "unit_value": Money(data["value"], currency), "net_weight_kg": data["weight"],
                        "origin": data["origin"], "claim_preference": data["claim_preference"],
                        "origin_declaration": OriginDeclaration(ex_works_price=data["value"], currency=currency,
                                                                wholly_obtained=True)
                        if data["wholly_obtained"] else None}])
        except ApplicationError as exc:
            self.add_error(_ERROR_FIELDS.get(exc.field or ""), exc.message)
            return None
        answer = selectors.quote_as_json(quote)
        for line in answer["lines"]:
            rule = line["rule"]
            line["rule_label"] = (_("Preference: %(agreement)s") % {"agreement": rule.split(":", 1)[1]}
                                  if rule.startswith("preference:") else RULE_LABELS.get(rule, rule))
        return answer
