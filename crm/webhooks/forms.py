from django import forms
from django.utils.translation import gettext_lazy as _

from crm.core.events import EVENT_TYPES


def _event_choices() -> list[tuple[str, object]]:
    return [(key, label) for key, label in EVENT_TYPES.items()]


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(label=_("URL"), max_length=500,
                          help_text=_("Where the events are POSTed, e.g. "
                                      "https://erp.example.com/crm-events"))
    description = forms.CharField(label=_("Description"), max_length=200, required=False)
    events = forms.MultipleChoiceField(label=_("Events"), choices=_event_choices,
                                       widget=forms.CheckboxSelectMultiple)


class WebhookEndpointEditForm(WebhookEndpointForm):
    is_active = forms.BooleanField(label=_("Active"), required=False,
                                   help_text=_("Turned off, no events are sent."))
