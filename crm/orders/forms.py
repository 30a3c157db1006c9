"""Order forms: they parse; crm.orders.services decides (its ValidationErrors land on the
fields through crm.core.forms.apply_service_errors)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.accounts.selectors import account_visible_queryset, contact_visible_queryset
from crm.catalog.models import Product
from crm.orders.models import ApprovalChainStep, ApproverKind, Order, OrderKind
from crm.orders.services import LineRequest
from tenants.users.models import Role, User, UserKind

DATE = forms.DateInput(attrs={"type": "date"})


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(getattr(obj, "name", obj))


class OrderForm(forms.Form):
    account = NamedChoiceField(queryset=None, label=_("Account"))
    contact = forms.ModelChoiceField(queryset=None, required=False, label=_("Contact"))
    kind = forms.ChoiceField(choices=OrderKind.choices, label=_("Kind"))
    currency = forms.CharField(max_length=3, label=_("Currency"))
    ordered_on = forms.DateField(required=False, label=_("Order date"), widget=DATE)
    starts_on = forms.DateField(required=False, label=_("Contract starts"), widget=DATE)
    ends_on = forms.DateField(required=False, label=_("Contract ends"), widget=DATE)
    renewal_on = forms.DateField(required=False, label=_("Renewal date"), widget=DATE,
                                 help_text=_("Empty: the end date."))
    discount_percent = forms.DecimalField(required=False, label=_("Order discount (%)"),
                                          min_value=Decimal(0), max_value=Decimal(100),
                                          max_digits=7, decimal_places=3)
    delivery_terms = forms.CharField(required=False, label=_("Delivery terms"),
                                     widget=forms.Textarea(attrs={"rows": 2}))
    payment_terms = forms.CharField(required=False, label=_("Payment terms"),
                                    widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, viewer: User, order: Order | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer).order_by(
            "name")
        self.fields["contact"].queryset = contact_visible_queryset(viewer=viewer)
        self.fields["contact"].widget = forms.NumberInput()
        self.fields["contact"].help_text = _("The contact's id (optional).")
        if order is not None:
            del self.fields["account"]


class LineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.filter(active=True)
                                     .order_by("sku"), required=False, label=_("Product"))
    description = forms.CharField(max_length=500, required=False, label=_("Description"))
    quantity = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=14,
                                  decimal_places=3, label=_("Quantity"))
    unit_price = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=16,
                                    decimal_places=4, label=_("Unit price"),
                                    help_text=_("Empty: the account's price."))
    discount_percent = forms.DecimalField(required=False, min_value=Decimal(0),
                                          max_value=Decimal(100), max_digits=7,
                                          decimal_places=3, label=_("Discount (%)"))
    tax_rate = forms.DecimalField(required=False, min_value=Decimal(0), max_digits=7,
                                  decimal_places=3, label=_("Tax rate (%)"))

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("product") and not (data.get("description") or "").strip() \
            and data.get("quantity") is None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.is_blank() and data.get("quantity") is None:
            self.add_error("quantity", _("Give a quantity."))
        return data

    def request(self) -> LineRequest:
        data = self.cleaned_data
        return LineRequest(quantity=data["quantity"], product=data.get("product"),
                           description=data.get("description") or "",
                           unit_price=data.get("unit_price"),
                           discount_percent=data.get("discount_percent"),
                           tax_rate=data.get("tax_rate"))


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=200, absolute_max=200)


def line_initial(order: Order) -> list[dict[str, Any]]:
    return [{"product": line.product_id, "description": line.description,
             "quantity": line.quantity.normalize(), "unit_price": line.unit_price.normalize(),
             "discount_percent": line.discount_percent.normalize(),
             "tax_rate": line.tax_rate.normalize()} for line in order.lines.all()]


class RejectForm(forms.Form):
    comment = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=5000)


class ApproveForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2}))


class ChainStepForm(forms.ModelForm):
    role = forms.ChoiceField(choices=[("", "—"), *Role.choices], required=False,
                             label=_("Role"))
    user = forms.ModelChoiceField(queryset=User.objects.filter(kind=UserKind.STAFF,
                                                               is_active=True)
                                  .order_by("first_name", "email"),
                                  required=False, label=_("Person"))
    approver_kind = forms.ChoiceField(choices=ApproverKind.choices, label=_("Approved by"))

    class Meta:
        model = ApprovalChainStep
        fields = ("position", "label", "approver_kind", "role", "user", "min_amount")

    def _post_clean(self) -> None:  # the service validates
        pass


class OrderSettingsForm(forms.Form):
    renewal_lead_days = forms.IntegerField(min_value=1, max_value=365,
                                           label=_("Renewal reminder lead (days)"))
