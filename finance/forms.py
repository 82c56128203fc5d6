from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class OfferRequestForm(forms.Form):
    """The seller picks the orders to pledge (the page lists its orders escrow holds)."""

    orders = forms.TypedMultipleChoiceField(label=_("Orders to finance"), coerce=int,
                                            widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["orders"].choices = choices


class AcceptForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount to advance"), max_digits=14, decimal_places=2,
                                min_value=Decimal("0.01"))
