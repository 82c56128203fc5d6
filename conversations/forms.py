from django import forms
from django.utils.translation import gettext_lazy as _

from conversations.models import BODY_MAX_CHARS


class MessageForm(forms.Form):
    """The page's form; the service checks the body and the file again (the API has no form)."""

    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3, "maxlength": BODY_MAX_CHARS}),
                           max_length=BODY_MAX_CHARS, error_messages={"required": _("Write a message.")})
    attachment = forms.FileField(label=_("Attach a file (PDF, PNG or JPEG, up to 5 MB)"), required=False,
                                 widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=80)
