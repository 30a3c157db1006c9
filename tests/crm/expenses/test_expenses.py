"""Expense requests: approval by authority limits through the one trail (within the
manager's limit: the manager; above it: the administrators), nobody approves their own,
rejection needs a comment and resubmission opens a new round; receipts checked by content
and size; reimbursement by finance; expense-to-revenue ratios; the API and pages with
isolation across tenants and reps and query budgets."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from crm.core.models import Team
from crm.core.teams import team_create
from crm.expenses.models import ExpenseStatus
from crm.expenses.selectors import (
    expense_approvals,
    expense_awaiting,
    expense_ratio_by_opportunity,
    expense_ratio_by_rep,
)
from crm.expenses.services import (
    RECEIPT_MAX_BYTES,
    expense_approve,
    expense_create,
    expense_reimburse,
    expense_reject,
    expense_submit,
    expense_update,
)
from crm.sales.services import default_pipeline, opportunity_create
from crm.staff.models import RolePolicy
from tests.crm.accounts.factories import make_account
from tests.crm.receivables.factories import make_order

API = "/api/v1"
D = Decimal
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _json(client, path, body=None):
    return client.post(path, data=json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def office(tenant_a, in_tenant):
    """rep and rep2 in a team managed by manager; the manager's limit is 5,000."""
    with in_tenant(tenant_a):
        users = tenant_a.users
        currency = tenant_a.tenant.currency
        RolePolicy.objects.update_or_create(role="manager", defaults={
            "approval_limit_amount": D(5000), "discount_limit_percent": D(25)})
        RolePolicy.objects.update_or_create(role="admin", defaults={
            "approval_limit_amount": None, "discount_limit_percent": None})
        team = team_create(actor=users["admin"], name="Expense Team",
                           managers=[users["manager"]], members=[users["rep"], users["rep2"]])
        account = make_account(name="Expense Customer Ltd", owner=users["rep"])
        yield {**users, "currency": currency, "team": team, "account": account}


def _expense(office, who="rep", amount="120.00", **extra):
    return expense_create(actor=office[who], amount=D(amount), currency=office["currency"],
                          category="travel", spent_on=date(2026, 3, 1), **extra)


def test_within_the_managers_limit_the_manager_approves(office):
    expense = expense_submit(expense=_expense(office, amount="4999.99"), actor=office["rep"])
    (step,) = expense_approvals(expense=expense)
    assert set(step.candidates.all()) == {office["manager"]}
    assert list(expense_awaiting(viewer=office["manager"])) == [expense]
    with pytest.raises(PermissionDenied):  # the next level is not asked
        expense_approve(expense=expense, actor=office["admin"])
    approved = expense_approve(expense=expense, actor=office["manager"])
    assert approved.status == ExpenseStatus.APPROVED


def test_above_the_managers_limit_the_administrators_approve(office):
    expense = expense_submit(expense=_expense(office, amount="5000.01"), actor=office["rep"])
    (step,) = expense_approvals(expense=expense)
    assert set(step.candidates.all()) == {office["admin"]}
    with pytest.raises(PermissionDenied):
        expense_approve(expense=expense, actor=office["manager"])
    assert expense_approve(expense=expense, actor=office["admin"]).status == "approved"


def test_a_foreign_currency_expense_goes_to_the_next_level(office):
    other = "JPY" if office["currency"] != "JPY" else "USD"
    expense = expense_create(actor=office["rep"], amount=D(10), currency=other,
                             category="meals", spent_on=date(2026, 3, 1))
    (step,) = expense_approvals(expense=expense_submit(expense=expense, actor=office["rep"]))
    assert set(step.candidates.all()) == {office["admin"]}


def test_nobody_approves_their_own_expense(office):
    expense = expense_submit(expense=_expense(office, who="manager", amount="100.00"),
                             actor=office["manager"])
    (step,) = expense_approvals(expense=expense)
    assert office["manager"] not in step.candidates.all()
    assert set(step.candidates.all()) == {office["admin"]}
    with pytest.raises(PermissionDenied):
        expense_approve(expense=expense, actor=office["manager"])


def test_an_administrators_own_expense_needs_another_administrator(office):
    with pytest.raises(ValidationError):  # the only admin cannot approve their own
        expense_submit(expense=_expense(office, who="admin"), actor=office["admin"])


def test_rejection_needs_a_comment_and_resubmission_opens_a_new_round(office):
    expense = expense_submit(expense=_expense(office), actor=office["rep"])
    with pytest.raises(ValidationError) as error:
        expense_reject(expense=expense, actor=office["manager"], comment="  ")
    assert "comment" in error.value.message_dict
    rejected = expense_reject(expense=expense, actor=office["manager"],
                              comment="Missing the receipt")
    assert rejected.status == ExpenseStatus.REJECTED
    edited = expense_update(expense=rejected, actor=office["rep"],
                            receipt=SimpleUploadedFile("r.pdf", PDF, "application/pdf"))
    again = expense_submit(expense=edited, actor=office["rep"])
    trail = expense_approvals(expense=again)
    assert [(s.round, s.decision) for s in trail] == [(1, "rejected"), (2, "pending")]
    assert trail[0].comment == "Missing the receipt"


def test_only_the_spender_edits_and_submits_and_only_drafts_change(office):
    expense = _expense(office)
    with pytest.raises(PermissionDenied):
        expense_update(expense=expense, actor=office["rep2"], amount=D(1))
    with pytest.raises(PermissionDenied):
        expense_submit(expense=expense, actor=office["rep2"])
    submitted = expense_submit(expense=expense, actor=office["rep"])
    with pytest.raises(ValidationError):
        expense_update(expense=submitted, actor=office["rep"], amount=D(1))


def test_reimbursement_is_for_finance_and_approved_expenses(office):
    expense = expense_submit(expense=_expense(office), actor=office["rep"])
    with pytest.raises(ValidationError):
        expense_reimburse(expense=expense, actor=office["admin"])
    approved = expense_approve(expense=expense, actor=office["manager"])
    with pytest.raises(PermissionDenied):
        expense_reimburse(expense=approved, actor=office["manager"])
    done = expense_reimburse(expense=approved, actor=office["admin"])
    assert done.status == ExpenseStatus.REIMBURSED
    assert done.reimbursed_by == office["admin"]


@pytest.mark.parametrize(("name", "content", "declared"), [
    ("receipt.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    ("receipt.png", b"GIF89a" + b"\x00" * 20, "image/png"),
    ("receipt.exe", b"MZ\x90\x00" + b"\x00" * 20, "image/jpeg"),
])
def test_receipts_of_the_wrong_type_are_refused(office, name, content, declared):
    with pytest.raises(ValidationError) as error:
        _expense(office, receipt=SimpleUploadedFile(name, content, declared))
    assert "receipt" in error.value.message_dict


def test_receipts_over_the_size_limit_are_refused(office):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * RECEIPT_MAX_BYTES, "application/pdf")
    with pytest.raises(ValidationError) as error:
        _expense(office, receipt=big)
    assert "5 MB" in error.value.message_dict["receipt"][0]


def test_a_receipt_is_stored_by_its_sniffed_type(office):
    expense = _expense(office, receipt=SimpleUploadedFile("scan.pdf", PNG, "application/pdf"))
    assert expense.receipt_content_type == "image/png"
    assert expense.receipt_name == "scan.png"


def test_expense_to_revenue_ratios(office, tenant_a):
    pipeline = default_pipeline()
    deal = opportunity_create(account=office["account"], name="Big deal", amount=D(1000),
                              currency=None, close_date=date(2026, 6, 1), pipeline=pipeline,
                              owner=office["rep"], actor=office["rep"])
    order = make_order(account=office["account"], actor=office["admin"],
                       owner=office["rep"], total="2000.00", currency=office["currency"])
    # The order belongs to the deal (set directly: crm.orders takes it from the quote).
    type(order).objects.filter(pk=order.pk).update(opportunity=deal)
    make_order(account=office["account"], actor=office["admin"], owner=office["rep"],
               total="9999.00", currency=office["currency"], approved=False)
    for amount in ("100.00", "50.00"):
        expense = expense_submit(expense=_expense(office, amount=amount, opportunity=deal),
                                 actor=office["rep"])
        expense_approve(expense=expense, actor=office["manager"])
    expense_submit(expense=_expense(office, amount="70.00", opportunity=deal),
                   actor=office["rep"])  # not approved: not counted
    (row,) = expense_ratio_by_opportunity(viewer=office["manager"])
    assert (row.key, row.expenses, row.revenue, row.percent) == (
        deal.pk, D(150), D(2000), D("7.50"))
    (rep_row,) = [r for r in expense_ratio_by_rep(viewer=office["admin"])
                  if r.key == office["rep"].pk]
    assert (rep_row.expenses, rep_row.revenue, rep_row.percent) == (D(150), D(2000),
                                                                    D("7.50"))


def test_api_flow_and_exact_fields(office, tenant_a, tenant_client):
    rep = tenant_client(tenant_a, office["rep"])
    created = rep.post(f"{API}/expenses/", {
        "amount": "88.80", "category": "meals", "spent_on": "2026-03-02",
        "account": office["account"].pk, "description": "Lunch",
        "receipt": SimpleUploadedFile("lunch.pdf", PDF, "application/pdf")})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["amount"] == "88.80"
    assert body["status"] == "draft"
    assert body["receipt_url"].endswith(f"/files/receipt/{body['id']}/")
    assert rep.get(f"/files/receipt/{body['id']}/").status_code == 200
    bad = rep.post(f"{API}/expenses/", {
        "amount": "1", "category": "meals", "spent_on": "2026-03-02",
        "receipt": SimpleUploadedFile("x.pdf", b"not a pdf", "application/pdf")})
    assert bad.status_code == 400
    assert "receipt" in bad.json()
    expense_id = body["id"]
    assert _json(rep, f"{API}/expenses/{expense_id}/submit/").json()["status"] == "submitted"
    manager = tenant_client(tenant_a, office["manager"])
    reject = _json(manager, f"{API}/expenses/{expense_id}/reject/", {})
    assert reject.status_code == 400
    approved = _json(manager, f"{API}/expenses/{expense_id}/approve/", {"comment": "ok"})
    assert approved.status_code == 200
    assert approved.json()["status"] == "approved"
    (step,) = approved.json()["approvals"]
    assert (step["approver"], step["decision"], step["comment"]) == (
        office["manager"].pk, "approved", "ok")
    assert _json(manager, f"{API}/expenses/{expense_id}/reimburse/").status_code == 403
    admin = tenant_client(tenant_a, office["admin"])
    assert _json(admin, f"{API}/expenses/{expense_id}/reimburse/").json()["status"] == \
        "reimbursed"


def test_expenses_are_invisible_across_reps_and_tenants(office, tenant_a, tenant_b,
                                                         tenant_client, in_tenant):
    from tests.conftest import SECOND_TENANT_ID_OFFSET

    expense = _expense(office, receipt=SimpleUploadedFile("r.pdf", PDF, "application/pdf"))
    assert expense.pk < SECOND_TENANT_ID_OFFSET
    # rep2 shares the team with rep, so team visibility lets them see it; an outsider
    # (agent) and the other tenant do not.
    agent = tenant_client(tenant_a, office["agent"])
    for path in (f"{API}/expenses/{expense.pk}/", f"/crm/expenses/{expense.pk}/",
                 f"/files/receipt/{expense.pk}/"):
        assert agent.get(path).status_code == 404
    with in_tenant(tenant_a):
        Team.objects.filter(pk=office["team"].pk).update(archived_at=timezone.now())
    rep2 = tenant_client(tenant_a, office["rep2"])
    assert rep2.get(f"{API}/expenses/{expense.pk}/").status_code == 404
    assert rep2.get(f"/crm/expenses/{expense.pk}/").status_code == 404
    assert _json(rep2, f"{API}/expenses/{expense.pk}/approve/").status_code == 404
    beta = tenant_client(tenant_b, tenant_b.users["admin"])
    for path in (f"{API}/expenses/{expense.pk}/", f"/crm/expenses/{expense.pk}/",
                 f"/files/receipt/{expense.pk}/", f"/crm/expenses/{expense.pk}/edit/"):
        assert beta.get(path).status_code == 404
    assert _json(beta, f"{API}/expenses/{expense.pk}/submit/").status_code == 404
    assert beta.get(f"{API}/expenses/").json()["results"] == []


def test_pages_flow(office, tenant_a, tenant_client):
    rep = tenant_client(tenant_a, office["rep"])
    assert rep.get("/crm/expenses/new/").status_code == 200
    response = rep.post("/crm/expenses/new/", {
        "amount": "45.50", "currency": office["currency"], "category": "transport",
        "spent_on": "2026-03-03", "description": "Taxi",
        "receipt": SimpleUploadedFile("taxi.png", b"plain text", "image/png")})
    assert response.status_code == 400
    assert "PDF, PNG, JPEG or WebP" in \
        response.content.decode()
    response = rep.post("/crm/expenses/new/", {
        "amount": "45.50", "currency": office["currency"], "category": "transport",
        "spent_on": "2026-03-03", "description": "Taxi"})
    assert response.status_code == 302
    detail = response["Location"]
    assert rep.post(detail + "submit/").status_code == 302
    manager = tenant_client(tenant_a, office["manager"])
    assert detail.rsplit("/", 2)[-2] in manager.get("/crm/expenses/approvals/").content.decode()
    refused = manager.post(detail + "reject/", {"comment": ""})
    assert refused.status_code == 400
    assert manager.post(detail + "reject/", {"comment": "Use the bus"}).status_code == 302
    page = rep.get(detail).content.decode()
    assert "Use the bus" in page
    assert "Submit again" in page
    assert rep.get("/crm/expenses/ratios/").status_code == 200


def test_list_query_budgets(office, tenant_a, tenant_client, django_assert_max_num_queries):
    for index in range(6):
        expense = _expense(office, amount=f"{10 + index}.00", account=office["account"])
        if index % 2:
            expense_submit(expense=expense, actor=office["rep"])
    admin = tenant_client(tenant_a, office["admin"])
    with django_assert_max_num_queries(10):
        assert admin.get(f"{API}/expenses/").status_code == 200
    with django_assert_max_num_queries(12):
        assert admin.get("/crm/expenses/").status_code == 200
    manager = tenant_client(tenant_a, office["manager"])
    with django_assert_max_num_queries(12):
        assert manager.get("/crm/expenses/approvals/").status_code == 200
    with django_assert_max_num_queries(14):
        assert manager.get("/crm/expenses/ratios/").status_code == 200


@pytest.mark.parametrize("change", ["deactivated", "limit_lowered", "left_the_team"])
def test_an_approver_who_no_longer_qualifies_cannot_decide(office, change):
    from tenants.users.models import User

    expense = expense_submit(expense=_expense(office, amount="4000.00"), actor=office["rep"])
    manager = office["manager"]  # the candidate at submission (this object is stale)
    if change == "deactivated":
        User.objects.filter(pk=manager.pk).update(is_active=False)
    elif change == "limit_lowered":
        RolePolicy.objects.filter(role="manager").update(approval_limit_amount=D(1000))
    else:
        office["team"].managers.remove(manager)
    with pytest.raises(PermissionDenied):
        expense_approve(expense=expense, actor=manager)
    with pytest.raises(PermissionDenied):
        expense_reject(expense=expense, actor=manager, comment="No")
    assert expense_approvals(expense=expense)[0].decision == "pending"
