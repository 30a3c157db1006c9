"""Forms of the activity pages: input parsing only (rules live in the services)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.activities.models import ActivityKind
from crm.activities.targets import target_type_keys

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


def _target_choices() -> list[tuple[str, str]]:
    return [("", "—"), *[(key, key) for key in target_type_keys()]]


class TargetFields(forms.Form):
    """Which record the activity is on: a type and an id (resolved with visibility by the
    view), or an account picked in the form."""

    target_type = forms.ChoiceField(required=False, widget=forms.HiddenInput)
    target_id = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    account = forms.IntegerField(label=_("Account"), required=False, min_value=1,
                                 widget=forms.Select)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["target_type"].choices = _target_choices()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if bool(data.get("target_type")) != bool(data.get("target_id")):
            raise forms.ValidationError(_("Choose the record the activity is on."))
        return data


class ActivityForm(TargetFields):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 4}))
    occurred_at = forms.DateTimeField(label=_("When"), required=False, widget=DATETIME_WIDGET,
                                      input_formats=DATETIME_FORMATS)
    due_at = forms.DateTimeField(label=_("Due / planned for"), required=False,
                                 widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    remind_at = forms.DateTimeField(label=_("Remind me at"), required=False,
                                    widget=DATETIME_WIDGET, input_formats=DATETIME_FORMATS)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          min_value=0, max_value=24 * 60)

    # Fields each kind shows (the rest stay empty).
    KIND_FIELDS = {
        ActivityKind.CALL: ("subject", "notes", "occurred_at", "due_at", "remind_at",
                            "duration_minutes"),
        ActivityKind.VISIT: ("subject", "notes", "occurred_at", "due_at", "remind_at",
                             "duration_minutes"),
        ActivityKind.MEETING: ("subject", "notes", "occurred_at", "due_at", "remind_at",
                               "duration_minutes"),
        ActivityKind.TASK: ("subject", "notes", "due_at", "remind_at"),
        ActivityKind.LOG: ("subject", "notes", "occurred_at"),
    }

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        shown = set(self.KIND_FIELDS.get(kind, ())) | {"target_type", "target_id", "account"}
        for name in list(self.fields):
            if name not in shown:
                del self.fields[name]
        if kind == ActivityKind.TASK:
            self.fields["due_at"].required = True
            self.fields["due_at"].label = _("Due")


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 2}))


class CheckInForm(TargetFields):
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=10, decimal_places=6,
                                   min_value=-180, max_value=180)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))


class NearbyForm(forms.Form):
    latitude = forms.DecimalField(label=_("Latitude"), min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), min_value=-180, max_value=180)
    radius_km = forms.FloatField(label=_("Radius (km)"), min_value=0.1, max_value=20000,
                                 required=False, initial=25)


class LocationForm(forms.Form):
    latitude = forms.DecimalField(label=_("Latitude"), max_digits=9, decimal_places=6,
                                  min_value=-90, max_value=90)
    longitude = forms.DecimalField(label=_("Longitude"), max_digits=10, decimal_places=6,
                                   min_value=-180, max_value=180)
