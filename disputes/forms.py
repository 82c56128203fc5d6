from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from disputes.models import Dispute

ACCEPT = "image/png,image/jpeg,image/webp,application/pdf"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several photos or PDFs in one input (the service checks their bytes, sizes and number)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class OpenForm(forms.Form):
    reason = forms.ChoiceField(label=_("What went wrong?"), choices=Dispute.Reason.choices, widget=forms.RadioSelect)
    description = forms.CharField(label=_("Describe the problem"), max_length=4000, widget=forms.Textarea(
        attrs={"rows": 5}), help_text=_("What you expected, what you got, and what you would like."))
    evidence = EvidenceField(label=_("Photos or PDFs (optional)"),
                             help_text=_("Up to 5 files of 5 MB each: PNG, JPEG, WebP or PDF."))


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
                             help_text=_("The buyer and the platform's staff read it."))
    evidence = EvidenceField(label=_("Photos or PDFs (optional)"),
                             help_text=_("Proof of dispatch, photos of the goods packed, the carrier's proof of "
                                         "delivery."))


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Dispute.Outcome.choices, widget=forms.RadioSelect)
    amount = forms.DecimalField(label=_("Amount to refund (for a part refund)"), required=False, max_digits=14,
                                decimal_places=2, min_value=Decimal("0.01"))
    note = forms.CharField(label=_("Why (the buyer and the seller read it)"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
