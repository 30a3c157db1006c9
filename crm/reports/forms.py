"""The report filters, one form for the pages and the API (bad values: form errors on a page,
a 400 with the same messages from the API).

``period`` is a preset (this month, this quarter, this year, the last 12 months) or
``custom`` with ``start`` / ``end``; giving ``start`` or ``end`` without a preset means
custom. ``team`` and ``rep`` only offer what the viewer may choose
(crm.reports.selectors.filter_team_choices / filter_rep_choices): any other id is a form
error, never a silently wider or narrower report."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.reports import selectors
from crm.reports.types import ReportFilters
from crm.sales.selectors import pipeline_list
from tenants.users.models import User

PRESETS = [
    ("this_month", _("This month")),
    ("this_quarter", _("This quarter")),
    ("this_year", _("This year")),
    ("last_12_months", _("Last 12 months")),
    ("custom", _("Custom")),
]
DEFAULT_PRESET = "this_year"
# Reports list every month of the period: keep it to what a chart can show.
MAX_PERIOD_DAYS = 366 * 5
EARLIEST = date(1970, 1, 1)
LATEST = date(2999, 12, 31)


def preset_period(preset: str, today: date) -> tuple[date, date]:
    if preset == "this_month":
        start = today.replace(day=1)
        return start, selectors.month_end(start)
    if preset == "this_quarter":
        first_month = 3 * ((today.month - 1) // 3) + 1
        start = date(today.year, first_month, 1)
        return start, selectors.month_end(date(today.year, first_month + 2, 1))
    if preset == "last_12_months":
        # This month and the eleven before it.
        year, month = (today.year, today.month - 11) if today.month == 12 else (
            today.year - 1, today.month + 1)
        return date(year, month, 1), selectors.month_end(today.replace(day=1))
    return date(today.year, 1, 1), date(today.year, 12, 31)


class _NamedChoiceField(forms.TypedChoiceField):
    """An id chosen from a list built per viewer; unknown ids are "not one of the choices"."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)


class ReportFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PRESETS, required=False)
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    team = _NamedChoiceField(label=_("Team"))
    rep = _NamedChoiceField(label=_("Rep"))
    pipeline = _NamedChoiceField(label=_("Pipeline"))

    def __init__(self, data: Any = None, *, viewer: User, today: date | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.viewer = viewer
        self.today = today or timezone.localdate()
        teams = list(selectors.filter_team_choices(viewer=viewer))
        reps = list(selectors.filter_rep_choices(viewer=viewer))
        pipelines = list(pipeline_list(viewer=viewer))
        self.fields["team"].choices = [("", _("All teams"))] + [
            (team.pk, team.name) for team in teams]
        self.fields["rep"].choices = [("", _("All reps"))] + [
            (rep.pk, rep.display_name) for rep in reps]
        self.fields["pipeline"].choices = [("", _("Default pipeline"))] + [
            (pipeline.pk, pipeline.name) for pipeline in pipelines]
        if not teams:
            self.fields["team"].widget = forms.HiddenInput()
        if len(reps) <= 1 and selectors.sees_only_own(viewer):
            # A rep's reports are their own: nothing to choose.
            self.fields["rep"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        preset = data.get("period") or ""
        start, end = data.get("start"), data.get("end")
        if preset in ("", "custom") and (start or end):
            default_start, default_end = preset_period(DEFAULT_PRESET, self.today)
            start, end = start or default_start, end or default_end
        else:
            start, end = preset_period(preset or DEFAULT_PRESET, self.today)
            data["period"] = preset or DEFAULT_PRESET
        for name, value in (("start", start), ("end", end)):
            if value is not None and not EARLIEST <= value <= LATEST:
                self.add_error(name, _("Enter a date between 1970 and 2999."))
                return data
        if start > end:
            self.add_error("end", _("The end of the period is before its start."))
        elif (end - start).days > MAX_PERIOD_DAYS:
            self.add_error("end", _("A report covers at most five years."))
        if data.get("team") is not None and data.get("rep") is not None:
            rep_in_team = data["rep"] in selectors.team_member_ids(data["team"])
            if not rep_in_team:
                self.add_error("rep", _("This rep is not in the chosen team."))
        data["start"], data["end"] = start, end
        return data

    def report_filters(self) -> ReportFilters:
        """The validated filters (call after ``is_valid()``)."""
        data = self.cleaned_data
        return ReportFilters(start=data["start"], end=data["end"], team_id=data.get("team"),
                             rep_id=data.get("rep"), pipeline_id=data.get("pipeline"))


def form_errors(form: forms.Form) -> dict[str, list[str]]:
    """The form's errors as the API answers them (field -> messages)."""
    return {field: [str(message) for message in messages]
            for field, messages in form.errors.items()}


class ExchangeRateForm(forms.Form):
    currency = forms.CharField(label=_("Currency"), max_length=3,
                               help_text=_("ISO 4217 code, e.g. EUR."))
    rate = forms.DecimalField(label=_("Rate"), max_digits=20, decimal_places=10,
                              help_text=_("1 unit of this currency in the workspace currency."))
    valid_from = forms.DateField(label=_("Valid from"),
                                 widget=forms.DateInput(attrs={"type": "date"}))


class TargetGridForm(forms.Form):
    """One amount field per (rep or team, month) of the grid: ``rep_<id>_<MM>`` and
    ``team_<id>_<MM>``; an emptied field removes that target."""

    def __init__(self, data: Any = None, *, grid: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.grid = grid
        for kind, subjects in (("rep", grid["reps"]), ("team", grid["teams"])):
            for subject in subjects:
                for month in grid["months"]:
                    existing = grid["cells"].get((kind, subject.pk, month))
                    name = f"{kind}_{subject.pk}_{month.month:02d}"
                    label = subject.display_name if kind == "rep" else subject.name
                    self.fields[name] = forms.DecimalField(
                        label=f"{label} {month:%Y-%m}", required=False, min_value=0,
                        max_digits=16, decimal_places=2,
                        initial=existing.amount if existing else None,
                        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}))

    def grid_rows(self) -> list[dict[str, Any]]:
        rows = []
        for kind, subjects in (("team", self.grid["teams"]), ("rep", self.grid["reps"])):
            for subject in subjects:
                rows.append({
                    "kind": kind,
                    "label": subject.display_name if kind == "rep" else subject.name,
                    "fields": [self[f"{kind}_{subject.pk}_{month.month:02d}"]
                               for month in self.grid["months"]],
                })
        return rows

    def changed_cells(self) -> list[tuple[str, int, date, Any]]:
        months = {f"{month.month:02d}": month for month in self.grid["months"]}
        cells = []
        for name in self.changed_data:
            kind, subject_id, month_key = name.split("_")
            cells.append((kind, int(subject_id), months[month_key], self.cleaned_data[name]))
        return cells
