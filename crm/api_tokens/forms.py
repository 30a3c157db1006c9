from django import forms
from django.utils.translation import gettext_lazy as _

from crm.api_tokens.models import TokenScope


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100,
                           help_text=_("What the token is for, e.g. “ERP sync”."))
    scope = forms.ChoiceField(label=_("Access"), choices=TokenScope.choices,
                              initial=TokenScope.READ_WRITE)
