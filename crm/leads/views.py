"""Lead and campaign pages: parse, call a selector or service, render."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.core.audit import history_for
from crm.core.decorators import capability_required, staff_required
from crm.core.exports import export_requested, page_export
from crm.core.forms import apply_service_errors
from crm.core.page_filters import page_filters
from crm.leads import selectors, services
from crm.leads.filters import OPEN, LeadFilter
from crm.leads.forms import (
    AssignForm,
    AssignmentRuleForm,
    BusinessCardFormSet,
    CampaignForm,
    ConvertForm,
    DisqualifyForm,
    LeadForm,
    ScoringRuleForm,
)
from crm.leads.models import AssignmentRule, LeadStatus, ScoringRule
from tenants.users.permissions import Capability, can

PAGE_SIZE = 50


def _require_lead_access(request: HttpRequest) -> None:
    if not selectors.sees_leads(request.user):
        raise PermissionDenied


def _may_edit(request: HttpRequest) -> bool:
    return can(request.user, Capability.MANAGE_SALES) and can(request.user,
                                                               Capability.EDIT_RECORDS)


def _require_edit(request: HttpRequest) -> None:
    if not _may_edit(request):
        raise PermissionDenied


LEAD_ORDERINGS = [
    ("-created_at", gettext_lazy("Newest")), ("-score", gettext_lazy("Highest score")),
    ("company", gettext_lazy("Company")), ("-updated_at", gettext_lazy("Recently changed")),
]


@staff_required
def lead_list(request: HttpRequest) -> HttpResponse:
    _require_lead_access(request)
    # The page opens on the open leads (the API's status filter is absent: every lead).
    filters = page_filters(
        request, LeadFilter,
        selectors.lead_list(viewer=request.user, filters=selectors.LeadFilters()),
        defaults={"status": OPEN}, sort_param="ordering", sort_choices=LEAD_ORDERINGS,
        sort_label=_("Order by"))
    leads = filters.rows.order_by(filters.sort, "-id")
    if export_requested(request) and filters.valid:
        return page_export(request, leads, api_basename="lead")
    page = Paginator(leads, PAGE_SIZE)
    page_obj = page.get_page(request.GET.get("page"))
    queue_count = selectors.lead_queue(viewer=request.user).count()
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "crm/leads/lead_list.html", {
        "filters": filters, "form": filters.form, "page_obj": page_obj,
        "leads": page_obj.object_list, "queue_count": queue_count,
        "querystring": query.urlencode(), "may_edit": _may_edit(request),
    }, status=filters.status)


@staff_required
def lead_detail(request: HttpRequest, lead_id: int) -> HttpResponse:
    lead = selectors.lead_get_for(viewer=request.user, lead_id=lead_id)
    candidates = []
    if not lead.is_converted and (lead.company or lead.phone or lead.email):
        candidates = services.conversion.conversion_candidates(lead=lead, viewer=request.user)
    return render(request, "crm/leads/lead_detail.html", {
        "lead": lead,
        "history": history_for(lead)[:50],
        "candidates": candidates,
        "may_edit": _may_edit(request) and not lead.is_converted,
        "may_assign": _may_edit(request) and can(request.user, Capability.ASSIGN_RECORDS),
        "assign_form": AssignForm(initial={"owner": lead.owner_id}),
        "disqualify_form": DisqualifyForm(),
        "is_open": lead.status in (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.NURTURING,
                                   LeadStatus.QUALIFIED),
    })


@require_http_methods(["GET", "POST"])
@staff_required
def lead_create(request: HttpRequest) -> HttpResponse:
    _require_edit(request)
    form = LeadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lead created."))
            return redirect("leads:lead_detail", lead_id=lead.pk)
    return render(request, "crm/leads/lead_form.html", {"form": form, "lead": None})


@require_http_methods(["GET", "POST"])
@staff_required
def lead_edit(request: HttpRequest, lead_id: int) -> HttpResponse:
    _require_edit(request)
    lead = selectors.lead_get_for(viewer=request.user, lead_id=lead_id)
    if lead.is_converted:
        messages.error(request, _("This lead was converted already and can no longer change."))
        return redirect("leads:lead_detail", lead_id=lead.pk)
    form = LeadForm(request.POST or None, instance=lead)
    if request.method == "POST" and form.is_valid():
        try:
            services.lead_update(lead=lead, actor=request.user, **form.service_fields())
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lead saved."))
            return redirect("leads:lead_detail", lead_id=lead.pk)
    return render(request, "crm/leads/lead_form.html", {"form": form, "lead": lead})


@require_GET
@staff_required
def lead_duplicate_check(request: HttpRequest) -> HttpResponse:
    """htmx partial for the lead form: existing accounts that may be the company typed."""
    from crm.accounts.selectors import duplicate_candidates

    company = request.GET.get("company", "").strip()[:200]
    candidates = []
    if len(company) >= 2:
        candidates = duplicate_candidates(
            viewer=request.user, name=company, phone=request.GET.get("phone", "")[:40],
            email=request.GET.get("email", "")[:254], limit=5,
        )
    return render(request, "crm/leads/_duplicates.html", {"candidates": candidates})


def _back_with_errors(request: HttpRequest, error: ValidationError, lead_id: int) -> HttpResponse:
    for message in error.messages:
        messages.error(request, message)
    return redirect("leads:lead_detail", lead_id=lead_id)


@require_POST
@staff_required
def lead_disqualify(request: HttpRequest, lead_id: int) -> HttpResponse:
    _require_edit(request)
    lead = selectors.lead_get_for(viewer=request.user, lead_id=lead_id)
    form = DisqualifyForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Say why the lead is disqualified."))
        services.lead_disqualify(lead=lead, actor=request.user,
                                 reason=form.cleaned_data["reason"])
    except ValidationError as error:
        return _back_with_errors(request, error, lead.pk)
    messages.success(request, _("Lead disqualified."))
    return redirect("leads:lead_detail", lead_id=lead.pk)


@require_POST
@staff_required
def lead_assign(request: HttpRequest, lead_id: int) -> HttpResponse:
    """Assign (managers), take from the queue ("take") or return to it ("release")."""
    _require_edit(request)
    lead = selectors.lead_get_for(viewer=request.user, lead_id=lead_id)
    intent = request.POST.get("intent", "")
    if intent == "take":
        owner = request.user
    elif intent == "release":
        owner = None
    else:
        form = AssignForm(request.POST)
        if not form.is_valid():
            return _back_with_errors(request, ValidationError(_("Choose a user.")), lead.pk)
        owner = form.cleaned_data["owner"]
    try:
        services.lead_assign(lead=lead, actor=request.user, owner=owner)
    except ValidationError as error:
        return _back_with_errors(request, error, lead.pk)
    messages.success(request, _("Lead assigned."))
    return redirect("leads:lead_detail", lead_id=lead.pk)


def _account_choices(candidates: list[Any]) -> list[tuple[str, str]]:
    return [
        (str(candidate.id), f"{candidate.name} ({round(candidate.score * 100)}%)")
        for candidate in candidates if candidate.visible
    ]


@require_http_methods(["GET", "POST"])
@staff_required
def lead_convert(request: HttpRequest, lead_id: int) -> HttpResponse:
    from crm.accounts.selectors import account_get_for

    _require_edit(request)
    lead = selectors.lead_get_for(viewer=request.user, lead_id=lead_id)
    if lead.is_converted:
        messages.error(request, _("This lead was converted already; it cannot be converted "
                                  "again."))
        return redirect("leads:lead_detail", lead_id=lead.pk)
    candidates = services.conversion.conversion_candidates(lead=lead, viewer=request.user)
    choices = _account_choices(candidates)
    strong = [c for c in candidates if c.score >= services.conversion.STRONG_DUPLICATE_SCORE]
    initial = {"account": choices[0][0] if strong and choices else "new",
               "create_opportunity": True}
    form = ConvertForm(request.POST or None, account_choices=choices, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = None
        try:
            if data["account"] != "new":
                try:
                    account = account_get_for(viewer=request.user, account_id=data["account"])
                except Http404:
                    raise ValidationError({"account": [_("No account with this id.")]}) from None
            conversion = services.lead_convert(
                lead=lead, actor=request.user, account=account,
                create_opportunity=data["create_opportunity"], pipeline=data["pipeline"],
                confirm_new_account=data["confirm_new_account"],
                opportunity_name=data["opportunity_name"], amount=data["amount"] or 0,
                close_date=data["close_date"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Lead converted into %(account)s.")
                             % {"account": conversion.account.name})
            return redirect("leads:lead_detail", lead_id=lead.pk)
    return render(request, "crm/leads/lead_convert.html", {
        "lead": lead, "form": form, "candidates": candidates, "strong": strong,
    })


# Campaigns -------------------------------------------------------------------------------

@staff_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    _require_lead_access(request)
    search = request.GET.get("q", "")
    campaigns = selectors.campaign_list(viewer=request.user, search=search,
                                        type=request.GET.get("type", ""))
    page_obj = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(campaign, selectors.campaign_results(campaign)) for campaign in page_obj]
    return render(request, "crm/leads/campaign_list.html", {
        "rows": rows, "page_obj": page_obj, "search": search, "may_edit": _may_edit(request),
    })


@staff_required
def campaign_detail(request: HttpRequest, campaign_id: int) -> HttpResponse:
    campaign = selectors.campaign_get_for(viewer=request.user, campaign_id=campaign_id)
    leads = selectors.lead_list(
        viewer=request.user, filters=selectors.LeadFilters(campaign_id=campaign.pk)
    )[:100]
    return render(request, "crm/leads/campaign_detail.html", {
        "campaign": campaign, "results": selectors.campaign_results(campaign), "leads": leads,
        "may_edit": _may_edit(request),
    })


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_edit(request: HttpRequest, campaign_id: int | None = None) -> HttpResponse:
    _require_edit(request)
    campaign = (selectors.campaign_get_for(viewer=request.user, campaign_id=campaign_id)
                if campaign_id else None)
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                campaign = services.campaign_create(actor=request.user, **form.cleaned_data)
            else:
                services.campaign_update(campaign=campaign, actor=request.user,
                                         **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect("leads:campaign_detail", campaign_id=campaign.pk)
    return render(request, "crm/leads/campaign_form.html", {"form": form, "campaign": campaign})


@require_http_methods(["GET", "POST"])
@staff_required
def campaign_quick_entry(request: HttpRequest, campaign_id: int) -> HttpResponse:
    """Business cards from a trade show, many rows at once, all saved or none."""
    _require_edit(request)
    campaign = selectors.campaign_get_for(viewer=request.user, campaign_id=campaign_id)
    formset = BusinessCardFormSet(request.POST or None, prefix="cards")
    if request.method == "POST" and formset.is_valid():
        cards = [form.cleaned_data for form in formset.forms]
        owner = request.user if request.POST.get("assign_to_me") else None
        try:
            leads = services.campaign_quick_entry(campaign=campaign, actor=request.user,
                                                  cards=cards, owner=owner)
        except ValidationError as error:
            for key, row_messages in error.message_dict.items():
                if key.startswith("row_") and key[4:].isdigit():
                    form = formset.forms[int(key[4:]) - 1]
                    for message in row_messages:
                        form.add_error(None, message)
                else:
                    for message in row_messages:
                        messages.error(request, message)
        else:
            messages.success(request, _("%(count)d leads added to %(campaign)s.")
                             % {"count": len(leads), "campaign": campaign.name})
            return redirect("leads:campaign_quick_entry", campaign_id=campaign.pk)
    return render(request, "crm/leads/campaign_quick_entry.html", {
        "campaign": campaign, "formset": formset,
    })


# Settings: scoring and assignment rules ---------------------------------------------------

@capability_required(Capability.MANAGE_SETTINGS)
def rules(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/leads/rules.html", {
        "scoring_rules": ScoringRule.objects.all(),
        "assignment_rules": AssignmentRule.objects.select_related("team", "user"),
    })


def _rule_form_view(
    request: HttpRequest, *, model: type, form_class: type, save: Any, rule_id: int | None,
    title: str,
) -> HttpResponse:
    rule = get_object_or_404(model, pk=rule_id) if rule_id else None
    form = form_class(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            save(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Rule saved."))
            return redirect("leads:rules")
    return render(request, "crm/leads/rule_form.html",
                  {"form": form, "rule": rule, "title": title})


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def scoring_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    return _rule_form_view(request, model=ScoringRule, form_class=ScoringRuleForm,
                           save=services.scoring_rule_save, rule_id=rule_id,
                           title=_("Scoring rule"))


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def assignment_rule_edit(request: HttpRequest, rule_id: int | None = None) -> HttpResponse:
    return _rule_form_view(request, model=AssignmentRule, form_class=AssignmentRuleForm,
                           save=services.assignment_rule_save, rule_id=rule_id,
                           title=_("Assignment rule"))


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def rule_delete(request: HttpRequest, kind: str, rule_id: int) -> HttpResponse:
    if kind == "scoring":
        services.scoring_rule_delete(actor=request.user,
                                     rule=get_object_or_404(ScoringRule, pk=rule_id))
    elif kind == "assignment":
        services.assignment_rule_delete(actor=request.user,
                                        rule=get_object_or_404(AssignmentRule, pk=rule_id))
    else:
        raise Http404
    messages.success(request, _("Rule deleted."))
    return redirect("leads:rules")


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def leads_rescore(request: HttpRequest) -> HttpResponse:
    changed = services.leads_rescore(actor=request.user)
    messages.success(request, _("Scores recomputed: %(count)d leads changed.")
                     % {"count": changed})
    return redirect("leads:rules")

