"""Forms of the quote pages: they parse input and hand it to crm.quotes.services (no rules
here: prices, totals and limits are the services')."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from crm.accounts.forms import AccountIdField
from crm.accounts.models import Account, Contact
from crm.accounts.selectors import account_visible_queryset, contact_visible_queryset
from crm.catalog.models import Product
from crm.catalog.selectors import product_list
from crm.quotes.models import QuoteSettings
from crm.quotes.services import QuoteLineInput
from crm.sales.models import Opportunity
from crm.sales.selectors import opportunity_visible
from tenants.users.models import User

EXTRA_LINES = 3


class QuoteHeaderForm(forms.Form):
    account = AccountIdField(queryset=Account.objects.none(), label=_("Account (id)"))
    contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False,
                                     label=_("Contact"))
    opportunity = forms.ModelChoiceField(queryset=Opportunity.objects.none(), required=False,
                                         label=_("Opportunity"))
    currency = forms.CharField(max_length=3, required=False, label=_("Currency"),
                               help_text=_("Empty: the price book's currency."))
    valid_until = forms.DateField(required=False, label=_("Valid until"),
                                  widget=forms.DateInput(attrs={"type": "date"}),
                                  help_text=_("Empty: the workspace's default validity."))
    language = forms.ChoiceField(choices=[("", _("Workspace language")),
                                          *settings.LANGUAGES], required=False,
                                 label=_("Language of the PDF"))
    discount_percent = forms.DecimalField(label=_("Quote discount (%)"), required=False,
                                          min_value=Decimal(0), max_value=Decimal(100),
                                          decimal_places=3, max_digits=7)
    terms = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            label=_("Terms and conditions"))
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           label=_("Note to the customer"))

    def __init__(self, *args: Any, viewer: User, account: Account | None = None,
                 fixed_account: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = account_visible_queryset(viewer=viewer)
        contacts = contact_visible_queryset(viewer=viewer).order_by("last_name", "first_name")
        opportunities = opportunity_visible(viewer=viewer).order_by("-created_at")
        if account is not None:
            contacts = contacts.filter(account=account)
            opportunities = opportunities.filter(account=account)
        else:
            contacts, opportunities = contacts.none(), opportunities.none()
        self.fields["contact"].queryset = contacts
        self.fields["opportunity"].queryset = opportunities
        if fixed_account:
            self.fields["account"].disabled = True
            self.fields["currency"].disabled = True


class QuoteLineForm(forms.Form):
    product = forms.ModelChoiceField(queryset=Product.objects.none(), required=False,
                                     label=_("Product"))
    description = forms.CharField(max_length=500, required=False, label=_("Description"))
    quantity = forms.DecimalField(required=False, label=_("Quantity"), decimal_places=3,
                                  max_digits=14, min_value=Decimal(0))
    unit_price = forms.DecimalField(required=False, label=_("Unit price"), decimal_places=4,
                                    max_digits=16, min_value=Decimal(0),
                                    help_text=_("Empty: from the price book."))
    discount_percent = forms.DecimalField(required=False, label=_("Discount (%)"),
                                          decimal_places=3, max_digits=7,
                                          min_value=Decimal(0), max_value=Decimal(100))
    tax_rate = forms.DecimalField(required=False, label=_("Tax rate (%)"), decimal_places=3,
                                  max_digits=7, min_value=Decimal(0))

    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = product_list(viewer=viewer).order_by("sku")

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not data.get("product") and not (data.get("description") or "").strip() \
            and data.get("quantity") in (None, "")

    def as_input(self) -> QuoteLineInput:
        data = self.cleaned_data
        return QuoteLineInput(
            product=data.get("product"), description=data.get("description") or "",
            quantity=data.get("quantity") if data.get("quantity") is not None else Decimal(1),
            unit_price=data.get("unit_price"),
            discount_percent=data.get("discount_percent") or Decimal(0),
            tax_rate=data.get("tax_rate"))


class BaseQuoteLineFormSet(forms.BaseFormSet):
    def __init__(self, *args: Any, viewer: User, **kwargs: Any) -> None:
        self.viewer = viewer
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {**super().get_form_kwargs(index), "viewer": self.viewer}

    def line_inputs(self) -> list[QuoteLineInput]:
        return [form.as_input() for form in self.forms
                if form.is_valid() and not form.is_blank()
                and not (self.can_delete and form.cleaned_data.get("DELETE"))]


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, formset=BaseQuoteLineFormSet,
                                         extra=EXTRA_LINES, can_delete=True, max_num=1000,
                                         validate_max=True)


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                              label=_("Comment"), max_length=5000)


class AcceptForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label=_("Accepted by (name)"),
                           help_text=_("The customer's person who accepted."))


class QuoteSettingsForm(forms.ModelForm):
    class Meta:
        model = QuoteSettings
        fields = ("validity_days", "default_terms", "document_address")
        widgets = {"default_terms": forms.Textarea(attrs={"rows": 4}),
                   "document_address": forms.Textarea(attrs={"rows": 3})}
