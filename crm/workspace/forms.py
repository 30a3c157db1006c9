"""Forms of the workspace settings page and the audit log's filter. Plain forms (never a
ModelForm of the public Tenant): the view hands the cleaned values to workspace_update."""

from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.workspace.choices import (
    MONTH_CHOICES,
    currency_choices,
    date_format_choices,
    language_choices,
    number_format_choices,
    time_zone_choices,
)
from crm.workspace.selectors import AuditLogFilters
from tenants.users.models import UserKind


class WorkspaceSettingsForm(forms.Form):
    name = forms.CharField(label=_("Company name"), max_length=200)
    logo = forms.FileField(
        label=_("Logo"), required=False,
        help_text=_("PNG, JPEG, GIF or WebP, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/gif,"
                                                         "image/webp"}),
    )
    remove_logo = forms.BooleanField(label=_("Remove the logo"), required=False)
    currency = forms.ChoiceField(label=_("Default currency"), choices=currency_choices)
    language = forms.ChoiceField(label=_("Language"), choices=language_choices,
                                 help_text=_("For users who have not chosen their own."))
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    fiscal_year_start_month = forms.TypedChoiceField(
        label=_("Fiscal year starts in"), choices=MONTH_CHOICES, coerce=int,
    )
    date_format = forms.ChoiceField(label=_("Date format"), choices=date_format_choices)
    number_format = forms.ChoiceField(label=_("Number and money format"),
                                      choices=number_format_choices)
    require_2fa_admins = forms.BooleanField(
        label=_("Require two-factor authentication for administrators"), required=False,
        help_text=_("Administrators without it are sent to set it up after signing in."))
    require_2fa_everyone = forms.BooleanField(
        label=_("Require two-factor authentication for everyone"), required=False)
    session_lifetime_hours = forms.IntegerField(
        label=_("Session lifetime (hours)"), required=False, min_value=1, max_value=24 * 90,
        help_text=_("How long a sign-in lasts. Empty: the platform default. Applies to "
                    "sign-ins from now on."))


class AuditLogFilterForm(forms.Form):
    actor = forms.TypedChoiceField(label=_("Who"), required=False, coerce=int,
                                   empty_value=None)
    action = forms.CharField(label=_("Action"), required=False, max_length=40,
                             help_text=_('An action such as "auth.login", or a prefix such '
                                         'as "user."'))
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    before = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = get_user_model().objects.filter(kind=UserKind.STAFF).order_by("email")
        self.fields["actor"].choices = [("", _("Anyone")), *(
            (user.pk, user.email) for user in staff.only("pk", "email"))]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end date is before the start date."))
        return cleaned

    def to_filters(self) -> AuditLogFilters:
        """Dates are whole days in the workspace's time zone; ``until`` includes its day."""
        data = self.cleaned_data
        zone = timezone.get_current_timezone()

        def start_of(day: Any) -> datetime | None:
            return datetime.combine(day, time.min, tzinfo=zone) if day else None

        until = start_of(data.get("until"))
        return AuditLogFilters(
            actor_id=data.get("actor"), action=(data.get("action") or "").strip(),
            since=start_of(data.get("since")),
            until=until + timedelta(days=1) if until else None,
            before_id=data.get("before"),
        )
