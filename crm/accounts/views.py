"""Account and contact pages under /crm/accounts/ and /crm/contacts/.

Adapters: parse the request, call a selector or service, render. Every record is fetched
through ``account_get_for`` / ``contact_get_for`` (404 for "not yours"); writes need
EDIT_RECORDS (read-only users get 403)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts import forms, selectors, services
from crm.accounts.duplicates import duplicate_groups, duplicate_threshold
from crm.accounts.filters import AccountFilter, ContactFilter
from crm.accounts.models import Account, NameAlias
from crm.accounts.panels import panels_for
from crm.core.decorators import capability_required, staff_required
from crm.core.exports import export_requested, page_export
from crm.core.forms import apply_service_errors
from crm.core.page_filters import page_filters
from crm.core.pagination import page_of
from tenants.users.models import User
from tenants.users.permissions import Capability, can

edit_required = capability_required(Capability.EDIT_RECORDS)

ACCOUNT_SORTS = [
    ("name", gettext_lazy("Name")), ("-updated_at", gettext_lazy("Recently updated")),
    ("-value_score", gettext_lazy("Value score")),
    ("-last_activity_at", gettext_lazy("Latest activity")),
]


# --- accounts ---------------------------------------------------------------------------

@require_GET
@staff_required
def account_list(request: HttpRequest) -> HttpResponse:
    filters = page_filters(request, AccountFilter, selectors.account_list(viewer=request.user),
                           sort_param="sort", sort_choices=ACCOUNT_SORTS, sort_label=_("Sort"))
    queryset = filters.rows.order_by(filters.sort, "pk")
    if export_requested(request) and filters.valid:
        return page_export(request, queryset, api_basename="account")
    page = page_of(queryset, request)
    template = ("crm/accounts/_account_rows.html" if request.htmx
                else "crm/accounts/account_list.html")
    return render(request, template, {"filters": filters, "page": page,
                                      "can_edit": can(request.user, Capability.EDIT_RECORDS)},
                  status=filters.status)


@require_GET
@staff_required
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    descendant_ids = selectors.account_descendant_ids(account_id=account.pk)
    context = {
        "account": account,
        "tree": selectors.account_tree(viewer=request.user, account=account),
        "team": selectors.account_team(account=account),
        "contacts": account.contacts.select_related("covered_by").order_by("last_name")[:50],
        "history": selectors.account_history(account=account)[:10],
        "panels": panels_for(request, account, descendant_ids),
        "branch_count": len(descendant_ids) - 1,
        "team_form": forms.TeamMemberForm(),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    }
    return render(request, "crm/accounts/account_detail.html", context)


@require_http_methods(["GET", "POST"])
@edit_required
def account_create(request: HttpRequest) -> HttpResponse:
    form = forms.AccountForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account = services.account_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Account created."))
            return redirect("crm_accounts:account_detail", pk=account.pk)
    return render(request, "crm/accounts/account_form.html", {"form": form, "account": None})


@require_http_methods(["GET", "POST"])
@edit_required
def account_edit(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    form = forms.AccountForm(request.POST or None, instance=account, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.fields}
        try:
            services.account_update(account=account, actor=request.user, **fields)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Account saved."))
            return redirect("crm_accounts:account_detail", pk=account.pk)
    return render(request, "crm/accounts/account_form.html", {"form": form, "account": account},
                  status=400 if form.errors else 200)


@require_GET
@staff_required
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """htmx partial: likely duplicates of what is being typed in an account or lead form."""
    exclude = request.GET.get("exclude") or None
    candidates = selectors.duplicate_candidates(
        viewer=request.user, name=request.GET.get("name", "")[:200],
        phone=request.GET.get("phone", "")[:40], email=request.GET.get("email", "")[:254],
        website=request.GET.get("website", "")[:200],
        exclude_id=int(exclude) if exclude and exclude.isdigit() else None, limit=5,
    )
    return render(request, "crm/accounts/_duplicates.html", {"candidates": candidates})


@require_GET
@staff_required
def account_picker(request: HttpRequest) -> HttpResponse:
    """htmx partial: visible accounts matching ``q``, each a button that fills ``target``."""
    query = request.GET.get("q", "").strip()
    target = request.GET.get("target", "id_parent")
    if not target.replace("_", "").isalnum():
        target = "id_parent"
    rows = selectors.account_list(viewer=request.user, search=query)[:10] if query else []
    return render(request, "crm/accounts/_picker.html", {"rows": rows, "target": target})


@require_http_methods(["GET", "POST"])
@edit_required
def account_move(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    form = forms.MoveForm(request.POST or None, viewer=request.user,
                          initial={"parent": account.parent_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.account_move(account=account, new_parent=form.cleaned_data["parent"],
                                  actor=request.user)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Account moved."))
            return redirect("crm_accounts:account_detail", pk=account.pk)
    return render(request, "crm/accounts/account_move.html", {
        "form": form, "account": account,
        "tree": selectors.account_tree(viewer=request.user, account=account),
    })


@require_POST
@edit_required
def account_team_add(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    form = forms.TeamMemberForm(request.POST)
    if form.is_valid():
        try:
            services.account_team_add(account=account, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Team member added."))
    else:
        messages.error(request, _("Choose a user and a role."))
    return redirect("crm_accounts:account_detail", pk=account.pk)


@require_POST
@edit_required
def account_team_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise Http404
    try:
        services.account_team_remove(account=account, user=user, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Team member removed."))
    return redirect("crm_accounts:account_detail", pk=account.pk)


@require_GET
@staff_required
def account_history(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    entries = selectors.account_history(account=account)[:500]
    return render(request, "crm/accounts/account_history.html",
                  {"account": account, "entries": entries})


@require_GET
@staff_required
def account_committee(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_get_for(viewer=request.user, account_id=pk)
    return render(request, "crm/accounts/account_committee.html", {
        "account": account, "roots": selectors.buying_committee(account=account),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


def _merge_accounts(request: HttpRequest, survivor: Account) -> list[Account]:
    raw = request.POST.get("others") or request.GET.get("others", "")
    ids = []
    for part in raw.replace(" ", ",").split(","):
        if part.strip().isdigit() and int(part) != survivor.pk and int(part) not in ids:
            ids.append(int(part))
    return [selectors.account_get_for(viewer=request.user, account_id=pk) for pk in ids[:20]]


@require_http_methods(["GET", "POST"])
@edit_required
def account_merge(request: HttpRequest, pk: int) -> HttpResponse:
    """The merge wizard: pick the accounts to merge into this one, then the surviving value
    of every field that differs, then confirm."""
    survivor = selectors.account_get_for(viewer=request.user, account_id=pk)
    others = _merge_accounts(request, survivor)
    accounts = [survivor, *others]
    choice_form = forms.MergeChoiceForm(
        request.POST if request.method == "POST" and request.POST.get("confirm") else None,
        accounts=accounts,
    )
    if request.method == "POST" and request.POST.get("confirm") and others \
            and choice_form.is_valid():
        try:
            services.account_merge(
                survivor=survivor, others=others, actor=request.user,
                field_choices={name: value for name, value in choice_form.cleaned_data.items()
                               if value != survivor.pk},
            )
        except ValidationError as error:
            apply_service_errors(choice_form, error)
        else:
            messages.success(request, _("%(count)s account(s) merged into %(name)s.") % {
                "count": len(others), "name": survivor.name})
            return redirect("crm_accounts:account_detail", pk=survivor.pk)
    suggestions = [c for c in selectors.duplicate_candidates(
        viewer=request.user, name=survivor.name, phone=survivor.phone,
        website=survivor.website, exclude_id=survivor.pk, limit=10) if c.visible]
    return render(request, "crm/accounts/account_merge.html", {
        "account": survivor, "others": others, "accounts": accounts, "form": choice_form,
        "others_value": ",".join(str(a.pk) for a in others), "suggestions": suggestions,
    })


# --- duplicates report, aliases and settings ----------------------------------------------

@require_GET
@staff_required
def duplicates_report(request: HttpRequest) -> HttpResponse:
    return render(request, "crm/accounts/duplicates_report.html", {
        "groups": duplicate_groups(viewer=request.user, limit=100),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def alias_list(request: HttpRequest) -> HttpResponse:
    form = forms.AliasForm(request.POST if request.POST.get("form") == "alias" else None)
    settings_form = forms.AccountSettingsForm(
        request.POST if request.POST.get("form") == "settings" else None,
        initial={"duplicate_threshold": duplicate_threshold()},
    )
    if request.method == "POST" and form.is_bound and form.is_valid():
        try:
            services.alias_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Alias added; matching accounts were updated."))
            return redirect("crm_accounts:alias_list")
    if request.method == "POST" and settings_form.is_bound and settings_form.is_valid():
        services.account_settings_update(
            actor=request.user,
            duplicate_threshold=settings_form.cleaned_data["duplicate_threshold"])
        messages.success(request, _("Settings saved."))
        return redirect("crm_accounts:alias_list")
    return render(request, "crm/accounts/alias_list.html", {
        "form": form, "settings_form": settings_form, "aliases": selectors.name_alias_list(),
    })


@require_POST
@capability_required(Capability.MANAGE_SETTINGS)
def alias_delete(request: HttpRequest, pk: int) -> HttpResponse:
    alias = NameAlias.objects.filter(pk=pk).first()
    if alias is None:
        raise Http404
    services.alias_delete(actor=request.user, alias=alias)
    messages.success(request, _("Alias removed."))
    return redirect("crm_accounts:alias_list")


# --- contacts --------------------------------------------------------------------------

@require_GET
@staff_required
def contact_list(request: HttpRequest) -> HttpResponse:
    filters = page_filters(request, ContactFilter, selectors.contact_list(viewer=request.user))
    queryset = filters.rows.order_by("last_name", "first_name", "pk")
    if export_requested(request) and filters.valid:
        return page_export(request, queryset, api_basename="contact")
    return render(request, "crm/accounts/contact_list.html", {
        "filters": filters, "page": page_of(queryset, request),
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    }, status=filters.status)


@require_GET
@staff_required
def contact_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for(viewer=request.user, contact_id=pk)
    from crm.core.audit import history_for

    return render(request, "crm/accounts/contact_detail.html", {
        "contact": contact, "reports": contact.reports.all(),
        "history": history_for(contact).select_related("actor")[:20],
        "can_edit": can(request.user, Capability.EDIT_RECORDS),
    })


@require_http_methods(["GET", "POST"])
@edit_required
def contact_create(request: HttpRequest) -> HttpResponse:
    account = None
    account_id = request.GET.get("account") or request.POST.get("account")
    if account_id:
        account = selectors.account_get_for(viewer=request.user, account_id=account_id)
    form = forms.ContactForm(request.POST or None, viewer=request.user, account=account)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            contact = services.contact_create(actor=request.user, **data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Contact created."))
            return redirect("crm_accounts:contact_detail", pk=contact.pk)
    return render(request, "crm/accounts/contact_form.html", {"form": form, "contact": None,
                                                               "account": account})


@require_http_methods(["GET", "POST"])
@edit_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = selectors.contact_get_for(viewer=request.user, contact_id=pk)
    form = forms.ContactForm(request.POST or None, instance=contact, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.contact_update(contact=contact, actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Contact saved."))
            return redirect("crm_accounts:contact_detail", pk=contact.pk)
    return render(request, "crm/accounts/contact_form.html", {
        "form": form, "contact": contact, "account": contact.account})


def account_url(account: Account) -> str:
    return reverse("crm_accounts:account_detail", args=[account.pk])
