from django import forms
from django.utils.translation import gettext_lazy as _

# What the admin types to confirm an erasure (the same word in every language, so the
# instruction can show it as it must be typed).
ERASE_CONFIRMATION_WORD = "ERASE"


class ErasureForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (for example the request's reference)"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log, without the person's name, e-mail or phone."),
    )
    confirmation = forms.CharField(label=_("Type ERASE to confirm"), max_length=20)

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value != ERASE_CONFIRMATION_WORD:
            raise forms.ValidationError(_("Type ERASE in capital letters to confirm."))
        return value
