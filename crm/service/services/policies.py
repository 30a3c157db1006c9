"""SLA policy commands (MANAGE_SLA): create, update, make default; the tenant's SLA settings;
and the holiday proposal a tenant reviews before saving (never saved by itself).

Validation is strict and lives here: times HH:MM, intervals that end after they start and do
not overlap within a weekday, a known IANA zone, ISO dates (a day cannot be both a holiday
and an extra working day), one target per known severity with whole positive minutes and a
first response no later than the resolution. Changing a policy does not move the due times
of requests already started (they were promised under the old one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypedDict, Unpack

import holidays as holidays_lib
from babel import Locale, UnknownLocaleError
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from crm.core.audit import audit_event
from crm.service.business_time import parse_dates, parse_hours, parse_zone
from crm.service.models import Severity, SlaPolicy, SlaSettings
from tenants.users.models import User
from tenants.users.permissions import Capability, can

MAX_TARGET_MINUTES = 366 * 24 * 60
POLICY_FIELDS = ("name", "time_zone", "around_the_clock", "hours", "holidays",
                 "extra_working_days", "targets", "is_default")


class PolicyValues(TypedDict, total=False):
    name: str
    time_zone: str
    around_the_clock: bool
    hours: list[dict[str, Any]]
    holidays: list[str]
    extra_working_days: list[str]
    targets: list[dict[str, Any]]
    is_default: bool


def _require(actor: User) -> None:
    if not can(actor, Capability.MANAGE_SLA):
        raise PermissionDenied(_("You may not change SLA policies."))


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clean_hours(value: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    try:
        weekly = parse_hours(value if value is not None else [])
    except ValueError as exc:
        errors["hours"] = str(exc)
        return []
    return [{"weekday": weekday, "start": _hhmm(start), "end": _hhmm(end)}
            for weekday, intervals in enumerate(weekly) for start, end in intervals]


def _clean_dates(value: Any, key: str, what: str, errors: dict[str, str]) -> list[str]:
    try:
        return sorted(day.isoformat() for day in parse_dates(value or [], what=what))
    except ValueError as exc:
        errors[key] = str(exc)
        return []


def _clean_targets(value: Any, errors: dict[str, str]) -> list[dict[str, Any]]:
    if value is None:
        value = []
    if not isinstance(value, list):
        errors["targets"] = _("Targets must be a list.")
        return []
    cleaned: dict[str, dict[str, Any]] = {}
    for item in value:
        if not isinstance(item, dict) or set(item) - {"severity", "first_response_minutes",
                                                      "resolution_minutes"}:
            errors["targets"] = _('Each target is {"severity", "first_response_minutes", '
                                  '"resolution_minutes"}.')
            return []
        severity = item.get("severity")
        if severity not in Severity.values:
            errors["targets"] = _("Unknown severity %(severity)r: use one of %(known)s.") % {
                "severity": severity, "known": ", ".join(Severity.values)}
            return []
        if severity in cleaned:
            errors["targets"] = _("Severity %(severity)s has two targets.") % {
                "severity": severity}
            return []
        minutes = {}
        for key in ("first_response_minutes", "resolution_minutes"):
            number = item.get(key)
            if isinstance(number, bool) or not isinstance(number, int) or \
                    not 0 < number <= MAX_TARGET_MINUTES:
                errors["targets"] = _("%(key)s of %(severity)s must be whole minutes between "
                                      "1 and %(max)s.") % {"key": key, "severity": severity,
                                                           "max": MAX_TARGET_MINUTES}
                return []
            minutes[key] = number
        if minutes["first_response_minutes"] > minutes["resolution_minutes"]:
            errors["targets"] = _("The first response of %(severity)s cannot be due after "
                                  "its resolution.") % {"severity": severity}
            return []
        cleaned[severity] = {"severity": severity, **minutes}
    return [cleaned[severity] for severity in Severity.values if severity in cleaned]


def policy_clean(values: PolicyValues, *, current: SlaPolicy | None = None) -> dict[str, Any]:
    """The validated, normalised field values (raises ValidationError with field keys)."""
    merged: dict[str, Any] = {name: getattr(current, name) for name in POLICY_FIELDS} \
        if current is not None else {"time_zone": "UTC", "around_the_clock": False,
                                     "hours": [], "holidays": [], "extra_working_days": [],
                                     "targets": [], "is_default": False, "name": ""}
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    merged.update(values)
    errors: dict[str, str] = {}
    name = merged.get("name")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > 100:
        errors["name"] = _("Give the policy a name (at most 100 characters).")
    else:
        merged["name"] = name.strip()
    try:
        parse_zone(merged.get("time_zone"))
    except ValueError:
        errors["time_zone"] = _("Unknown time zone %(zone)r: use an IANA name such as "
                                "Asia/Shanghai.") % {"zone": merged.get("time_zone")}
    for flag in ("around_the_clock", "is_default"):
        if not isinstance(merged.get(flag), bool):
            errors[flag] = _("Must be true or false.")
    merged["hours"] = _clean_hours(merged.get("hours"), errors)
    merged["holidays"] = _clean_dates(merged.get("holidays"), "holidays", "Holidays", errors)
    merged["extra_working_days"] = _clean_dates(merged.get("extra_working_days"),
                                                "extra_working_days", "Extra working days",
                                                errors)
    both = set(merged["holidays"]) & set(merged["extra_working_days"])
    if both:
        errors["extra_working_days"] = _("A day cannot be a holiday and a working day: "
                                         "%(days)s.") % {"days": ", ".join(sorted(both))}
    if not merged.get("around_the_clock") and not merged["hours"] and "hours" not in errors:
        errors["hours"] = _("Give business hours, or make the policy 24x7.")
    merged["targets"] = _clean_targets(merged.get("targets"), errors)
    if errors:
        raise ValidationError(errors)
    if merged["around_the_clock"]:
        merged["hours"] = []
    return merged


def _save_default(policy: SlaPolicy) -> None:
    if policy.is_default:
        SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)


@transaction.atomic
def sla_policy_create(*, actor: User, **values: Unpack[PolicyValues]) -> SlaPolicy:
    _require(actor)
    cleaned = policy_clean(values)
    if cleaned["is_default"]:
        SlaPolicy.objects.filter(is_default=True).update(is_default=False)
    policy = SlaPolicy.objects.create(**cleaned)
    audit_event(instance=policy, action="created", actor=actor, data={"name": policy.name})
    return policy


@transaction.atomic
def sla_policy_update(*, policy: SlaPolicy, actor: User,
                      **values: Unpack[PolicyValues]) -> SlaPolicy:
    _require(actor)
    policy = SlaPolicy.objects.select_for_update().get(pk=policy.pk)
    cleaned = policy_clean(values, current=policy)
    changed = [name for name in POLICY_FIELDS if getattr(policy, name) != cleaned[name]]
    if cleaned["is_default"] and not policy.is_default:
        SlaPolicy.objects.filter(is_default=True).exclude(pk=policy.pk).update(is_default=False)
    for name in changed:
        setattr(policy, name, cleaned[name])
    if changed:
        policy.save(update_fields=[*changed, "updated_at"])
        audit_event(instance=policy, action="updated", actor=actor, data={"fields": changed})
    return policy


def sla_settings_get() -> SlaSettings:
    settings = SlaSettings.objects.order_by("pk").first()
    return settings if settings is not None else SlaSettings.objects.create()


@transaction.atomic
def sla_settings_update(*, actor: User, warning_lead_minutes: int,
                        renewal_reminder_days: int) -> SlaSettings:
    _require(actor)
    errors = {}
    if isinstance(warning_lead_minutes, bool) or not isinstance(warning_lead_minutes, int) \
            or not 0 <= warning_lead_minutes <= 7 * 24 * 60:
        errors["warning_lead_minutes"] = _("Between 0 and 10080 minutes.")
    if isinstance(renewal_reminder_days, bool) or not isinstance(renewal_reminder_days, int) \
            or not 1 <= renewal_reminder_days <= 366:
        errors["renewal_reminder_days"] = _("Between 1 and 366 days.")
    if errors:
        raise ValidationError(errors)
    settings = sla_settings_get()
    settings.warning_lead_minutes = warning_lead_minutes
    settings.renewal_reminder_days = renewal_reminder_days
    settings.save()
    return settings


# --- holiday proposal -------------------------------------------------------------------

@dataclass
class HolidayProposal:
    country: str
    year: int
    holidays: list[str]
    extra_working_days: list[str]
    names: dict[str, str] = field(default_factory=dict)


def holiday_countries() -> list[tuple[str, str]]:
    """(ISO code, country name in the active language) of every country the holidays
    package knows, by name."""
    try:
        locale = Locale.parse((get_language() or "en").replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        locale = Locale("en")
    territories = locale.territories
    return sorted(((code, str(territories.get(code, code)))
                   for code in holidays_lib.list_supported_countries() if len(code) == 2),
                  key=lambda pair: pair[1])


def holiday_proposal(*, country: str, year: int) -> HolidayProposal:
    """The public holidays and the weekend days worked instead (China's adjusted working
    days) of ``country`` in ``year``, from the ``holidays`` package. A proposal only: the
    tenant reviews it in the policy form and saves it (or not)."""
    code = (country or "").strip().upper()
    if code not in holidays_lib.list_supported_countries():
        raise ValidationError({"country": _("No holiday calendar for %(country)r.") % {
            "country": country}})
    if not isinstance(year, int) or not 1970 <= year <= 2100:
        raise ValidationError({"year": _("Give a year between 1970 and 2100.")})
    calendar = holidays_lib.country_holidays(code, years=year, language="en_US")
    days = sorted(day for day in calendar if day.year == year)
    workdays = sorted(day for day in getattr(calendar, "weekend_workdays", set())
                      if isinstance(day, date) and day.year == year)
    return HolidayProposal(
        country=code, year=year, holidays=[day.isoformat() for day in days],
        extra_working_days=[day.isoformat() for day in workdays if day not in calendar],
        names={day.isoformat(): str(calendar.get(day)) for day in days})
