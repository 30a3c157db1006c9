"""Pool pages: pools, the accounts in a pool (claim / return / assign), history, pool rules
settings and the ownership transfer page. Adapters only: parse, call services/selectors,
render."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from crm.accounts.models import Account
from crm.core.decorators import capability_required, staff_required
from crm.core.forms import apply_service_errors
from crm.core.redirects import safe_next
from crm.pool import selectors, services
from crm.pool.forms import AssignForm, PoolForm, ReturnForm, TransferForm
from crm.pool.models import Pool, PoolMembership
from crm.pool.transfer import may_transfer, ownership_transfer, transfer_candidates
from tenants.users.models import User
from tenants.users.permissions import Capability, can

PAGE_SIZE = 50



def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _back(request: HttpRequest, account: Account) -> HttpResponse:
    return redirect(safe_next(
        request, reverse("pool:account_history", kwargs={"account_id": account.pk})))


def _may_work_pool(user: User) -> bool:
    return can(user, Capability.MANAGE_SALES) and can(user, Capability.EDIT_RECORDS)


# --- pools ---------------------------------------------------------------------------------

@require_GET
@staff_required
def pool_list(request: HttpRequest) -> HttpResponse:
    pools = selectors.pool_list(viewer=request.user,
                                include_inactive=can(request.user, Capability.MANAGE_SETTINGS))
    return render(request, "crm/pool/pool_list.html", {
        "pools": pools, "can_settings": can(request.user, Capability.MANAGE_SETTINGS),
    })


@require_GET
@staff_required
def pool_detail(request: HttpRequest, pool_id: int) -> HttpResponse:
    pool = selectors.pool_get_for(viewer=request.user, pool_id=pool_id)
    search = request.GET.get("q", "")
    available = selectors.pool_accounts(viewer=request.user, pool=pool, search=search)
    page = Paginator(available, PAGE_SIZE).get_page(request.GET.get("page"))
    can_assign = can(request.user, Capability.ASSIGN_RECORDS)
    held = selectors.pool_held_accounts(viewer=request.user, pool=pool)
    return render(request, "crm/pool/pool_detail.html", {
        "pool": pool, "rule": getattr(pool, "rule", None), "page": page, "q": search,
        "held": held[:PAGE_SIZE], "history": selectors.pool_history(viewer=request.user,
                                                                    pool=pool, limit=20),
        "can_claim": _may_work_pool(request.user), "can_assign": can_assign,
        "assignees": (list(selectors.assignable_users_for(viewer=request.user))
                      if can_assign else []),
        "return_form": ReturnForm(),
        "my_count": selectors.held_count(user=request.user, pool=pool),
    })


# --- claim / return / assign ---------------------------------------------------------------

@require_POST
@capability_required(Capability.EDIT_RECORDS)
def account_claim(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.pool_account_get_for(viewer=request.user, account_id=account_id)
    try:
        services.pool_claim(account=account, actor=request.user)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    except PermissionDenied as error:
        messages.error(request, str(error) or _("You may not do that."))
    else:
        messages.success(request, _("%(account)s is yours now.") % {"account": account.name})
    return _back(request, account)


@require_http_methods(["GET", "POST"])
@capability_required(Capability.EDIT_RECORDS)
def account_return(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.pool_account_get_for(viewer=request.user, account_id=account_id)
    form = ReturnForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.pool_return(account=account, actor=request.user,
                                 reason=form.cleaned_data["reason"])
        except ValidationError as error:
            apply_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error) or _("You may not do that."))
        else:
            messages.success(request, _("%(account)s went back to the pool.") % {
                "account": account.name})
            return _back(request, account)
    return render(request, "crm/pool/return_form.html", {
        "account": account, "form": form,
        "history": selectors.ownership_history(account=account, limit=5),
    }, status=400 if form.errors else 200)


@require_POST
@capability_required(Capability.ASSIGN_RECORDS)
def account_assign(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.pool_account_get_for(viewer=request.user, account_id=account_id)
    form = AssignForm(request.POST, viewer=request.user)
    if not form.is_valid():
        messages.error(request, _("Choose who gets the account."))
        return _back(request, account)
    try:
        services.pool_assign(account=account, to_user=form.cleaned_data["to_user"],
                             actor=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("%(account)s was given to %(user)s.") % {
            "account": account.name, "user": form.cleaned_data["to_user"].display_name})
    return _back(request, account)


@require_GET
@staff_required
def account_history(request: HttpRequest, account_id: int) -> HttpResponse:
    account = selectors.pool_account_get_for(viewer=request.user, account_id=account_id)
    membership = getattr(account, "pool_membership", None)
    return render(request, "crm/pool/account_history.html", {
        "account": account, "history": selectors.ownership_history(account=account, limit=None),
        "pool": membership.pool if membership else None,
        "can_claim": _may_work_pool(request.user),
        "can_assign": can(request.user, Capability.ASSIGN_RECORDS),
        "assignees": (list(selectors.assignable_users_for(viewer=request.user))
                      if can(request.user, Capability.ASSIGN_RECORDS) else []),
    })


def account_pool_panel(request: HttpRequest, account: Account, descendant_ids: list[int]
                       ) -> dict[str, Any]:
    """Context of the account page's pool panel (crm.accounts.panels): the pool and every
    change of hands, so the next rep sees why the last one let go."""
    membership = PoolMembership.objects.filter(account=account).select_related("pool").first()
    return {
        "account": account, "pool": membership.pool if membership else None,
        "history": selectors.ownership_history(account=account, limit=10),
        "can_claim": _may_work_pool(request.user),
    }


# --- settings ------------------------------------------------------------------------------

@require_GET
@capability_required(Capability.MANAGE_SETTINGS)
def pool_settings(request: HttpRequest) -> HttpResponse:
    pools = selectors.pool_list(viewer=request.user, include_inactive=True)
    return render(request, "crm/pool/pool_settings.html", {"pools": pools})


def _rule_values(data: dict[str, Any]) -> dict[str, Any]:
    return {name: data.get(name) for name in services.RULE_FIELDS}


@require_http_methods(["GET", "POST"])
@capability_required(Capability.MANAGE_SETTINGS)
def pool_edit(request: HttpRequest, pool_id: int | None = None) -> HttpResponse:
    pool = Pool.objects.select_related("rule").filter(pk=pool_id).first() if pool_id else None
    if pool_id and pool is None:
        raise Http404
    form = PoolForm(request.POST or None, instance=pool)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if pool is None:
                services.pool_create(actor=request.user, name=data["name"], team=data["team"],
                                     region=data["region"], active=data["active"],
                                     **_rule_values(data))
            else:
                services.pool_update(pool=pool, actor=request.user, name=data["name"],
                                     team=data["team"], region=data["region"],
                                     active=data["active"], **_rule_values(data))
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Pool saved."))
            return redirect("pool:pool_settings")
    return render(request, "crm/pool/pool_form.html", {"form": form, "pool": pool},
                  status=400 if form.errors else 200)


# --- ownership transfer --------------------------------------------------------------------

def transfer_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, Capability.USE_CRM) or not may_transfer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
@transfer_required
def transfer(request: HttpRequest) -> HttpResponse:
    source = request.POST or request.GET
    from_user_id = str(source.get("from_user", ""))
    # Only people the viewer manages: another team's rep is "not found", like any record.
    from_user = (selectors.transfer_source_users_for(viewer=request.user)
                 .filter(pk=int(from_user_id)).first() if from_user_id.isdigit() else None)
    plan = transfer_candidates(from_user=from_user) if from_user else None
    choices = [(a.pk, a.name) for a in plan.accounts.only("pk", "name")[:500]] if plan else []
    form = TransferForm(request.POST or None, account_choices=choices, viewer=request.user,
                        initial={"from_user": from_user.pk if from_user else None})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = ownership_transfer(
                from_user=data["from_user"], to_user=data["to_user"], actor=request.user,
                reason=data["reason"],
                account_ids=(data["accounts"] or None) if data["include_accounts"] else [],
                opportunity_ids=None if data["include_opportunities"] else [],
                lead_ids=None if data["include_leads"] else [],
                task_ids=None if data["include_tasks"] else [],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _(
                "Transferred %(accounts)s accounts, %(opportunities)s opportunities, "
                "%(leads)s leads and %(tasks)s open tasks.") % result.counts())
            return redirect(reverse("pool:transfer") + f"?from_user={data['from_user'].pk}")
    return render(request, "crm/pool/transfer.html", {
        "form": form, "from_user": from_user, "counts": plan.counts() if plan else None,
    }, status=400 if form.errors else 200)
