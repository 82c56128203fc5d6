from django import forms
from django.utils.translation import gettext_lazy as _


class ErasureForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               max_length=128)
    confirm = forms.BooleanField(label=_("I understand that my account is closed and my personal data erased; "
                                         "this cannot be undone."),
                                 error_messages={"required": _("Tick the box to confirm.")})
