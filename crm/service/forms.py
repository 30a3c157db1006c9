"""Forms of the service pages: they parse; crm.service.services decides."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.selectors import account_visible_queryset, contact_visible_queryset
from crm.catalog.selectors import product_list
from crm.service.models import (
    Asset,
    AssetStatus,
    Channel,
    RequestStatus,
    ServiceQueue,
    Severity,
    WorkLogKind,
)
from crm.service.selectors import asset_visible_queryset, service_agents
from tenants.users.models import User


class _NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj)


def _id_field(label: Any, *, required: bool = True, help_text: Any = "") -> _NamedChoiceField:
    return _NamedChoiceField(queryset=None, required=required, label=label,
                             widget=forms.NumberInput, help_text=help_text)


class AssetForm(forms.ModelForm):
    account = _id_field(_("Account"), help_text=_("The account's id."))
    product = _id_field(_("Product"), required=False,
                        help_text=_("The catalog product's id; empty for third-party "
                                    "equipment (give make and model)."))
    parent = _id_field(_("Part of"), required=False,
                       help_text=_("The id of the asset this one is a component of."))

    class Meta:
        model = Asset
        fields = ("account", "product", "make", "model", "serial_number", "customer_reference",
                  "location", "installed_on", "warranty_start", "warranty_end", "parent",
                  "status", "notes")
        widgets = {"installed_on": forms.DateInput(attrs={"type": "date"}),
                   "warranty_start": forms.DateInput(attrs={"type": "date"}),
                   "warranty_end": forms.DateInput(attrs={"type": "date"}),
                   "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)
        self.fields["product"].queryset = product_list(viewer=viewer)
        self.fields["parent"].queryset = asset_visible_queryset(viewer)
        self.fields["status"].choices = [choice for choice in AssetStatus.choices
                                         if choice[0] != AssetStatus.PENDING
                                         or self.instance.status == AssetStatus.PENDING]
        if self.instance.pk:
            self.fields["account"].disabled = True

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields
                if name != "account"}

    def _post_clean(self) -> None:  # the service validates
        pass


class ServiceRequestForm(forms.Form):
    account = _id_field(_("Account"), help_text=_("The account's id."))
    contact = _id_field(_("Contact"), required=False,
                        help_text=_("The id of a contact of that account."))
    asset = _id_field(_("Asset"), required=False,
                      help_text=_("The id of an asset of that account or of its branches."))
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices,
                                 initial=Severity.NORMAL)
    category = forms.CharField(label=_("Category"), max_length=100, required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 5}))
    channel = forms.ChoiceField(label=_("Channel"), initial=Channel.PHONE,
                                choices=[c for c in Channel.choices if c[0] != Channel.PORTAL])
    reported_at = forms.DateTimeField(
        label=_("Reported at"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("When the customer called or wrote (empty: now). Never in the future."))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)
        self.fields["contact"].queryset = contact_visible_queryset(viewer=viewer)
        self.fields["asset"].queryset = asset_visible_queryset(viewer)

    def service_values(self) -> dict[str, Any]:
        values = dict(self.cleaned_data)
        if values.get("reported_at") is None:
            values.pop("reported_at", None)
        return values


class AssignForm(forms.Form):
    assignee = forms.ModelChoiceField(queryset=None, required=False, label=_("Agent"))
    queue = forms.ModelChoiceField(queryset=None, required=False, label=_("Queue"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = service_agents()
        self.fields["queue"].queryset = ServiceQueue.objects.all()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=RequestStatus.choices)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}),
                           max_length=20_000)
    public = forms.BooleanField(label=_("Visible to the customer"), required=False)


class WorkLogForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=WorkLogKind.choices)
    minutes = forms.IntegerField(label=_("Time spent (minutes)"), min_value=1,
                                 max_value=24 * 60)
    performed_on = forms.DateField(label=_("Date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
    description = forms.CharField(label=_("Work done"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    part = _id_field(_("Part used"), required=False, help_text=_("A catalog product's id."))
    part_quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=0,
                                       max_digits=12, decimal_places=3)

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["part"].queryset = product_list(viewer=viewer)
        if not self.is_bound:
            self.initial.setdefault("performed_on", timezone.localdate())


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen?"), max_length=300, required=False)


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(label=_("Satisfaction"), coerce=int,
                                   choices=[(n, str(n)) for n in range(1, 6)])
    remark = forms.CharField(label=_("Remark"), required=False, max_length=2000)
