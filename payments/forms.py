"""The staff pages' filters and the refund form. A filter that does not validate shows its error
at the field and is left out; the others still apply."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import Payment, Payout

PROVIDERS = [("", _("Any provider")), ("sandbox", _("Sandbox")), ("stripe", "Stripe")]


class _Filters(forms.Form):
    q = forms.CharField(label=_("Reference"), required=False, max_length=100)
    date_from = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and not (len(currency) == 3 and currency.isalpha()):
            raise forms.ValidationError(_("Enter a three-letter currency code, e.g. EUR."))
        return currency

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> dict:
        """The values that validated, for the selector."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}


class PaymentFilters(_Filters):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *Payment.Status.choices])
    provider = forms.ChoiceField(label=_("Provider"), required=False, choices=PROVIDERS)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    buyer = forms.CharField(label=_("Buyer's email"), required=False, max_length=254)
    company = forms.IntegerField(label=_("Seller number"), required=False, min_value=1)


class RefundFilters(_Filters):
    provider = forms.ChoiceField(label=_("Provider"), required=False, choices=PROVIDERS)
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    buyer = forms.CharField(label=_("Buyer's email"), required=False, max_length=254)
    company = forms.IntegerField(label=_("Seller number"), required=False, min_value=1)


class PayoutFilters(_Filters):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any status")), *Payout.Status.choices])
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    company = forms.IntegerField(label=_("Seller number"), required=False, min_value=1)


class LedgerFilters(_Filters):
    account = forms.CharField(label=_("Account, or the start of its name"), required=False, max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), required=False)

    def __init__(self, *args, kinds: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("Any kind")), *((kind, kind) for kind in kinds)]
        self.fields["q"].label = _("Order reference")


class RefundForm(forms.Form):
    """A staff refund of one order's share of a payment: all that remains of it, or part."""

    order = forms.ChoiceField(label=_("Order"))
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=Decimal("0.01"), max_digits=14,
                                decimal_places=2, widget=forms.NumberInput(attrs={"step": "0.01"}),
                                help_text=_("Leave empty to refund all that remains of the order's share."))
    reason = forms.CharField(label=_("Reason"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text=_("Kept in the ledger with the refund."))

    def __init__(self, *args, allocations: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].choices = [
            (a.reference, _("%(order)s: up to %(amount)s") % {"order": a.reference, "amount": a.refundable})
            for a in allocations]
