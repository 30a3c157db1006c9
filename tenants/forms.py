from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.provisioning.slugs import SLUG_MAX_LENGTH, normalise_slug, slug_problems


class SignupForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    slug = forms.CharField(
        label=_("Workspace address"),
        max_length=SLUG_MAX_LENGTH + 20,  # longer input gets the rule's own message
        help_text=_("Lowercase letters, digits and hyphens; 3 to 40 characters."),
    )
    admin_email = forms.EmailField(
        label=_("Your work e-mail"), error_messages={"invalid": _("Enter a valid e-mail address.")}
    )
    admin_password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput, strip=False,
        help_text=_("At least 10 characters, not only digits, not a common password."),
    )

    def clean_slug(self) -> str:
        slug = normalise_slug(self.cleaned_data["slug"])
        problems = slug_problems(slug)
        if problems:
            raise forms.ValidationError(problems)
        return slug


class OperatorActionForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea)
