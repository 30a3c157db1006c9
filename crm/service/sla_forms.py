"""Forms of the SLA pages. They parse what a person types (a weekday's hours as
"09:00-12:00, 13:00-18:00", one date per line, minutes per severity); the services decide
(their ValidationErrors land on the form through crm.core.forms.apply_service_errors)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.accounts.models import Account
from crm.accounts.selectors import account_visible_queryset
from crm.service.business_time import parse_dates
from crm.service.models import Asset, ServiceContract, Severity, SlaPolicy
from crm.service.services.policies import holiday_countries
from tenants.users.models import User

WEEKDAY_NAMES = (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"),
                 _("Saturday"), _("Sunday"))
_INTERVAL = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-\u2013]\s*(\d{1,2}:\d{2})\s*$")


def _pad(value: str) -> str:
    hours, minutes = value.split(":")
    return f"{int(hours):02d}:{minutes}"


def hours_text(hours: list[dict[str, Any]], weekday: int) -> str:
    return ", ".join(f"{item['start']}-{item['end']}" for item in hours
                     if item.get("weekday") == weekday)


def dates_text(values: list[str]) -> str:
    return "\n".join(values)


class SlaPolicyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    time_zone = forms.CharField(
        label=_("Time zone"), max_length=64,
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off"}),
        help_text=_("An IANA zone name such as Asia/Shanghai."))
    around_the_clock = forms.BooleanField(
        label=_("24x7 (wall-clock time, no business hours or holidays)"), required=False)
    holidays = forms.CharField(label=_("Holidays"), required=False,
                               widget=forms.Textarea(attrs={"rows": 6}),
                               help_text=_("One date per line, YYYY-MM-DD."))
    extra_working_days = forms.CharField(
        label=_("Extra working days"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Weekend days worked instead of a holiday, one per line. They work the "
                    "hours of the first working weekday."))
    is_default = forms.BooleanField(label=_("Tenant default"), required=False,
                                    help_text=_("Applies when no contract or warranty does."))

    def __init__(self, *args: Any, policy: SlaPolicy | None = None,
                 proposal: dict[str, list[str]] | None = None, **kwargs: Any) -> None:
        initial = kwargs.pop("initial", {}) or {}
        if policy is not None:
            initial.update({
                "name": policy.name, "time_zone": policy.time_zone,
                "around_the_clock": policy.around_the_clock,
                "holidays": dates_text(policy.holidays),
                "extra_working_days": dates_text(policy.extra_working_days),
                "is_default": policy.is_default,
            })
            for weekday in range(7):
                initial[f"hours_{weekday}"] = hours_text(policy.hours, weekday)
            for target in policy.targets:
                initial[f"response_{target['severity']}"] = target["first_response_minutes"]
                initial[f"resolution_{target['severity']}"] = target["resolution_minutes"]
        else:
            initial.setdefault("time_zone", timezone.get_current_timezone_name())
            for weekday in range(5):
                initial.setdefault(f"hours_{weekday}", "09:00-18:00")
        if proposal is not None:
            initial["holidays"] = dates_text(proposal["holidays"])
            initial["extra_working_days"] = dates_text(proposal["extra_working_days"])
        super().__init__(*args, initial=initial, **kwargs)
        for weekday, label in enumerate(WEEKDAY_NAMES):
            self.fields[f"hours_{weekday}"] = forms.CharField(
                label=label, required=False,
                widget=forms.TextInput(attrs={"placeholder": "09:00-12:00, 13:00-18:00"}))
        for severity in Severity:
            self.fields[f"response_{severity.value}"] = forms.IntegerField(
                label=_("%(severity)s: first response (minutes)") % {"severity": severity.label},
                required=False, min_value=1)
            self.fields[f"resolution_{severity.value}"] = forms.IntegerField(
                label=_("%(severity)s: resolution (minutes)") % {"severity": severity.label},
                required=False, min_value=1)

    def weekday_fields(self) -> list[forms.BoundField]:
        return [self[f"hours_{weekday}"] for weekday in range(7)]

    def target_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(severity.label), self[f"response_{severity.value}"],
                 self[f"resolution_{severity.value}"]) for severity in Severity]

    def _clean_dates(self, name: str) -> list[str]:
        lines = [line.strip() for line in re.split(r"[\s,;]+", self.cleaned_data.get(name) or "")
                 if line.strip()]
        try:
            return sorted(day.isoformat() for day in parse_dates(lines))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean_holidays(self) -> list[str]:
        return self._clean_dates("holidays")

    def clean_extra_working_days(self) -> list[str]:
        return self._clean_dates("extra_working_days")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        hours: list[dict[str, Any]] = []
        for weekday in range(7):
            text = (cleaned.get(f"hours_{weekday}") or "").strip()
            if not text:
                continue
            for part in text.split(","):
                match = _INTERVAL.match(part)
                if not match:
                    self.add_error(f"hours_{weekday}",
                                   _("Write intervals like 09:00-12:00, 13:00-18:00."))
                    break
                hours.append({"weekday": weekday, "start": _pad(match.group(1)),
                              "end": _pad(match.group(2))})
        cleaned["hours"] = hours
        targets = []
        for severity in Severity:
            response = cleaned.get(f"response_{severity.value}")
            resolution = cleaned.get(f"resolution_{severity.value}")
            if response is None and resolution is None:
                continue
            if response is None or resolution is None:
                self.add_error(f"resolution_{severity.value}",
                               _("Give both targets, or neither."))
                continue
            targets.append({"severity": severity.value, "first_response_minutes": response,
                            "resolution_minutes": resolution})
        cleaned["targets"] = targets
        return cleaned

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"name": data["name"], "time_zone": data["time_zone"].strip(),
                "around_the_clock": data["around_the_clock"], "hours": data["hours"],
                "holidays": data["holidays"], "extra_working_days": data["extra_working_days"],
                "targets": data["targets"], "is_default": data["is_default"]}


class HolidayProposalForm(forms.Form):
    country = forms.ChoiceField(label=_("Country"), choices=())
    year = forms.IntegerField(label=_("Year"), min_value=1970, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"country": "CN", "year": timezone.localdate().year})
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = holiday_countries()


class SlaSettingsForm(forms.Form):
    warning_lead_minutes = forms.IntegerField(
        label=_("Warn before breach (minutes)"), min_value=0, max_value=10080,
        help_text=_("The assignee is warned this long before a due time; 0 turns warnings "
                    "off."))
    renewal_reminder_days = forms.IntegerField(
        label=_("Remind of contract renewal (days before end)"), min_value=1, max_value=366)


class AccountChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class ServiceContractForm(forms.Form):
    account = AccountChoiceField(queryset=Account.objects.none(), label=_("Account"),
                                 widget=forms.NumberInput,
                                 help_text=_("The account's id."))
    assets = forms.CharField(
        label=_("Covered assets"), required=False,
        help_text=_("Asset ids separated by commas; empty covers every asset of the account "
                    "and its branches."))
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs={"type": "date"}))
    sla_policy = forms.ModelChoiceField(queryset=SlaPolicy.objects.all(), label=_("SLA policy"))
    allowance_kind = forms.ChoiceField(
        label=_("Allowance"), required=False,
        choices=[("", _("None")), ("visits", _("Visits")), ("hours", _("Hours"))])
    allowance = forms.DecimalField(label=_("Allowance amount"), required=False,
                                   max_digits=10, decimal_places=2, min_value=0)

    def __init__(self, *args: Any, viewer: User, contract: ServiceContract | None = None,
                 **kwargs: Any) -> None:
        initial = kwargs.pop("initial", {}) or {}
        if contract is not None:
            initial.update({
                "account": contract.account_id,
                "assets": ", ".join(str(asset.pk) for asset in contract.assets.all()),
                "starts_on": contract.starts_on, "ends_on": contract.ends_on,
                "sla_policy": contract.sla_policy_id,
                "allowance_kind": contract.allowance_kind, "allowance": contract.allowance,
            })
        else:
            today = timezone.localdate()
            initial.setdefault("starts_on", today)
            initial.setdefault("ends_on", date(today.year + 1, today.month, 1))
        super().__init__(*args, initial=initial, **kwargs)
        self.viewer = viewer
        account_field = self.fields["account"]
        assert isinstance(account_field, forms.ModelChoiceField)
        account_field.queryset = account_visible_queryset(viewer=viewer)

    def clean_assets(self) -> list[Asset]:
        text = self.cleaned_data.get("assets") or ""
        ids = []
        for part in re.split(r"[\s,;]+", text.strip()):
            if not part:
                continue
            if not part.isdigit() or not 0 < int(part) < 2**63:
                raise forms.ValidationError(_("Give asset ids separated by commas."))
            ids.append(int(part))
        assets = list(Asset.objects.filter(
            pk__in=ids, account__in=account_visible_queryset(viewer=self.viewer)))
        if len(assets) != len(set(ids)):
            raise forms.ValidationError(_("Some of these assets do not exist."))
        return assets

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(name) for name in ("account", "assets", "starts_on", "ends_on",
                                                  "sla_policy", "allowance_kind", "allowance")}


GROUP_CHOICES = (("severity", _("Severity")), ("product", _("Product")),
                 ("queue", _("Queue")), ("agent", _("Agent")))


class ReportForm(forms.Form):
    group_by = forms.ChoiceField(label=_("Attainment by"), choices=GROUP_CHOICES,
                                 required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
