from django import forms
from django.utils.translation import gettext_lazy as _


class TenantDeleteForm(forms.Form):
    reason = forms.CharField(label=_("Reason (kept with the deletion record)"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}))
    confirm_slug = forms.CharField(label=_("Type the workspace's slug to confirm"),
                                   max_length=60)
