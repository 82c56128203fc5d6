from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.domain.events import EVENT_LABELS, EVENT_TYPES


def _event_choices():
    return [(t, EVENT_LABELS[t]) for t in EVENT_TYPES]


class EndpointForm(forms.Form):
    url = forms.CharField(label=_("Endpoint URL"), max_length=500,
                          widget=forms.URLInput(attrs={"placeholder": "https://example.com/ewtp/webhooks",
                                                       "inputmode": "url", "autocomplete": "url"}),
                          help_text=_("We POST each event here as JSON. It must use https."))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events to send"), choices=_event_choices,
                                       widget=forms.CheckboxSelectMultiple)


class EventsForm(forms.Form):
    events = forms.MultipleChoiceField(label=_("Events to send"), choices=_event_choices,
                                       widget=forms.CheckboxSelectMultiple)
