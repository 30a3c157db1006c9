"""Form helpers every CRM app's views share."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field where the form has it,
    else as a form-wide error."""
    if hasattr(error, "error_dict"):
        for field_name, messages in error.message_dict.items():
            target = field_name if field_name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def use_region_choices(form: forms.BaseForm, field_name: str = "region",
                       current: str = "") -> None:
    """Turn a free-text region field into a select of the tenant's region list (the record's
    current value stays selectable); left as text while the tenant has no list. The service
    checks the value again (crm.core.regions.region_clean)."""
    from crm.core.regions import region_choices

    choices = region_choices(current=current)
    if choices is None:
        return
    old = form.fields[field_name]
    form.fields[field_name] = forms.ChoiceField(
        label=old.label, required=False, choices=choices, help_text=old.help_text)
