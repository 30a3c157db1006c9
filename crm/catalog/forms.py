"""Catalog forms: they parse; crm.catalog.services decides (its ValidationErrors land on
the fields through crm.core.forms.apply_service_errors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.selectors import account_visible_queryset
from crm.catalog.models import PriceBook, Product
from tenants.users.models import User


class ProductForm(forms.ModelForm):
    class Meta:
        model = Product
        fields = ("sku", "name", "description", "family", "unit", "list_price", "currency",
                  "tax_rate", "active", "serialized", "image", "external_id")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["image"].widget = forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"})

    def service_values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data.get(name) for name in self.Meta.fields
                  if name != "image"}
        image = self.cleaned_data.get("image")
        if image is False:  # "clear" ticked
            values["image"] = None
        elif image and image is not getattr(self.instance, "image", None) and \
                hasattr(image, "content_type"):
            values["image"] = image
        return values

    def _post_clean(self) -> None:  # the service validates; no model validation here
        pass


class VisibleAccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name


class PriceBookForm(forms.ModelForm):
    account = VisibleAccountChoiceField(queryset=None, required=False, label=_("Account"),
                                        widget=forms.NumberInput,
                                        help_text=_("The account's id (one-account books)."))

    class Meta:
        model = PriceBook
        fields = ("name", "kind", "group_tier", "group_tag", "account", "currency",
                  "valid_from", "valid_until", "active")
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"}),
                   "valid_until": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)
        if not self.instance.pk:
            self.initial.setdefault("valid_from", timezone.localdate())

    def service_values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.Meta.fields}

    def _post_clean(self) -> None:
        pass


class PriceBookEntryForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True),
                                     label=_("Product"))
    unit_price = forms.DecimalField(label=_("Unit price"), max_digits=14, decimal_places=4,
                                    min_value=Decimal(0))
    min_quantity = forms.DecimalField(label=_("From quantity"), max_digits=14,
                                      decimal_places=4, min_value=Decimal(0),
                                      initial=Decimal(1))


class PriceCheckForm(forms.Form):
    account = VisibleAccountChoiceField(queryset=None, required=False, label=_("Account"),
                                        widget=forms.NumberInput,
                                        help_text=_("The account's id; empty: no account."))
    product = forms.ModelChoiceField(queryset=Product.objects.all(), label=_("Product"))
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=14, decimal_places=4,
                                  min_value=Decimal(0), initial=Decimal(1))
    on = forms.DateField(label=_("Date"), required=False,
                         widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)

