"""Forms of the member's asset and service-request pages. They parse; crm.service.services
decides (uploads are checked by content there, not by their names or the browser's type)."""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from crm.service.models import Severity
from crm.service.services.attachments import MAX_FILES_AT_ONCE


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); each is checked by the
    service."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data
                    if item]
        return [super().clean(data, initial)] if data else []


def _files_field() -> MultipleFileField:
    return MultipleFileField(
        label=_("Files"),
        help_text=_("Photos, PDF, ZIP, plain text or MP4 video; up to %(count)s files of "
                    "10 MB each.") % {"count": MAX_FILES_AT_ONCE})


class AssetRegisterForm(forms.Form):
    serial_number = forms.CharField(label=_("Serial number"), max_length=100)
    product = forms.TypedChoiceField(
        label=_("Product"), coerce=int, required=False, empty_value=None,
        help_text=_("Choose it from our catalog, or give the make and model below."))
    make = forms.CharField(label=_("Make"), max_length=100, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    customer_reference = forms.CharField(label=_("Your reference"), max_length=100,
                                         required=False)
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    installed_on = forms.DateField(label=_("Installed on"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    account = forms.TypedChoiceField(label=_("Account"), coerce=int)
    notes = forms.CharField(label=_("Notes"), max_length=5000, required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, accounts: list[tuple[int, str]],
                 products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].choices = accounts  # type: ignore[attr-defined]
        self.fields["product"].choices = [  # type: ignore[attr-defined]
            ("", _("Not from the catalog")), *products]
        if len(accounts) == 1:
            self.fields["account"].widget = forms.HiddenInput()


class ServiceRequestForm(forms.Form):
    asset = forms.TypedChoiceField(label=_("Asset"), coerce=int, required=False,
                                   empty_value=None)
    category = forms.ChoiceField(label=_("Category"), required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices,
                                 initial=Severity.NORMAL)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), max_length=20_000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 6}))
    files = _files_field()

    # Offered when the tenant's service queues name no categories.
    GENERAL_CATEGORIES = (
        ("breakdown", _("Breakdown or fault")),
        ("maintenance", _("Maintenance")),
        ("installation", _("Installation")),
        ("question", _("Question")),
    )

    def __init__(self, *args: Any, assets: list[tuple[int, str]], categories: list[str],
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = [  # type: ignore[attr-defined]
            ("", _("Other (no registered asset)")), *assets]
        offered = ([(category, category.capitalize()) for category in categories]
                   or list(self.GENERAL_CATEGORIES))
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("Not sure")), *offered]


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your reply"), max_length=20_000,
                           widget=forms.Textarea(attrs={"rows": 4}))
    files = _files_field()


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why do you reopen it?"), max_length=300)


class CloseForm(forms.Form):
    note = forms.CharField(label=_("Note (optional)"), max_length=300, required=False)


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How did we do?"), coerce=int, widget=forms.RadioSelect,
        choices=[(5, "★★★★★"), (4, "★★★★"), (3, "★★★"), (2, "★★"), (1, "★")])
    comment = forms.CharField(label=_("Comment (optional)"), max_length=2000, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
