"""Forms of the lead pages: they parse input; services decide."""

from typing import Any

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.core.forms import use_region_choices
from crm.core.models import Team
from crm.leads.models import (
    EDITABLE_STATUSES,
    SCORABLE_FIELDS,
    AssignmentRule,
    Campaign,
    Lead,
    LeadStatus,
    ScoringRule,
)
from crm.leads.selectors import lead_owner_choices

LEAD_FORM_FIELDS = ("company", "first_name", "last_name", "title", "email", "phone", "region",
                    "source", "campaign", "message")


class LeadForm(forms.ModelForm):
    class Meta:
        model = Lead
        fields = LEAD_FORM_FIELDS
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.order_by("-start_date", "name")
        use_region_choices(self, "region", current=self.instance.region)
        self.fields["company"].widget.attrs.update({
            "autocomplete": "organization",
            "hx-get": reverse("leads:lead_duplicate_check"),
            "hx-trigger": "input changed delay:300ms, load",
            "hx-target": "#lead-duplicates",
            "hx-include": "[name=phone],[name=email]",
        })
        if self.instance.pk:
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=[(v, label) for v, label in LeadStatus.choices if v in EDITABLE_STATUSES],
                initial=self.instance.status if self.instance.status in EDITABLE_STATUSES
                else LeadStatus.WORKING,
            )

    def service_fields(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}

    def _post_clean(self) -> None:
        # Model validation runs in the service (one place for the rules), not here.
        pass


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Assign to"), queryset=None, required=False,
                                   empty_label=_("Unassigned queue"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = lead_owner_choices()


class DisqualifyForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ConvertForm(forms.Form):
    account = forms.ChoiceField(label=_("Account"), widget=forms.RadioSelect)
    create_opportunity = forms.BooleanField(label=_("Create an opportunity"), required=False,
                                            initial=True)
    pipeline = forms.ModelChoiceField(label=_("Pipeline"), queryset=None, required=False,
                                      empty_label=_("Default pipeline"))
    opportunity_name = forms.CharField(label=_("Opportunity name"), required=False,
                                       max_length=200)
    amount = forms.DecimalField(label=_("Amount"), required=False, min_value=0,
                                max_digits=16, decimal_places=2)
    close_date = forms.DateField(label=_("Expected close date"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}))
    confirm_new_account = forms.BooleanField(
        label=_("Create a new account even though a similar one exists"), required=False
    )

    def __init__(self, *args: Any, account_choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from crm.sales.models import Pipeline

        self.fields["account"].choices = [("new", _("Create a new account")), *account_choices]
        self.fields["pipeline"].queryset = Pipeline.objects.filter(active=True)


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ("name", "type", "start_date", "end_date", "budget", "actual_cost",
                  "description")
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self) -> None:
        pass


class BusinessCardForm(forms.Form):
    company = forms.CharField(label=_("Company"), required=False, max_length=200)
    first_name = forms.CharField(label=_("First name"), required=False, max_length=100)
    last_name = forms.CharField(label=_("Last name"), required=False, max_length=100)
    title = forms.CharField(label=_("Title"), required=False, max_length=120)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=40)
    region = forms.CharField(label=_("Region"), required=False, max_length=100)
    message = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_region_choices(self, "region")


BusinessCardFormSet = forms.formset_factory(BusinessCardForm, extra=10, max_num=200,
                                            validate_max=True)


class ScoringRuleForm(forms.ModelForm):
    class Meta:
        model = ScoringRule
        fields = ("name", "criterion", "field", "value", "points", "order", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", "—"), *list(SCORABLE_FIELDS)]
        self.fields["value"].help_text = _(
            "The source (e.g. referral), the text to look for, or the number of days."
        )

    def _post_clean(self) -> None:
        pass


class AssignmentRuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = ("name", "order", "active", "match_region", "match_source", "strategy",
                  "team", "user")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.active().order_by("name")
        self.fields["user"].queryset = lead_owner_choices()
        use_region_choices(self, "match_region", current=self.instance.match_region)

    def _post_clean(self) -> None:
        pass
