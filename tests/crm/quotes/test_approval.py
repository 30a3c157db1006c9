"""Discount approval, every path: within the limit -> approved at once; above the rep's
limit -> the rep's team manager; above the manager's -> the admins; rejection with a comment
and resubmission; nobody approves their own; a manager of another team cannot approve; the
author is notified; the effective discount counts a price below the book."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.approvals import approvals_for
from crm.core.models import ApprovalDecision, Notification
from crm.quotes.models import Quote, QuoteStatus
from crm.quotes.selectors import quote_approval_inbox
from crm.quotes.services import (
    effective_discount,
    quote_approval_reject,
    quote_approve,
    quote_max_discount,
    quote_submit,
    quote_update,
)
from crm.staff.models import RolePolicy
from tests.crm.core.factories import make_team
from tests.crm.quotes.factories import line, make_quote

D = Decimal


def _candidates(quote):
    step = approvals_for(quote).get(decision=ApprovalDecision.PENDING)
    return set(step.candidates.values_list("email", flat=True))


def test_within_the_reps_limit_submit_approves_directly(world):
    quote = quote_submit(quote=make_quote(world, discount=10), actor=world["rep"])
    assert quote.status == QuoteStatus.APPROVED
    assert not approvals_for(quote).exists()


def test_above_the_reps_limit_it_goes_to_the_team_manager_who_approves(
        world, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks(execute=True):
        quote = quote_submit(quote=make_quote(world, discount=18), actor=world["rep"])
    assert quote.status == QuoteStatus.PENDING_APPROVAL
    assert _candidates(quote) == {world["manager"].email}
    assert "limit of 10 %" in approvals_for(quote).get().reason
    assert [q.pk for _a, q in quote_approval_inbox(viewer=world["manager"])] == [quote.pk]
    assert quote_approval_inbox(viewer=world["rep"]) == []
    assert any(m.to == [world["manager"].email] for m in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        approved = quote_approve(quote=quote, actor=world["manager"], comment="OK for volume")
    assert approved.status == QuoteStatus.APPROVED
    step = approvals_for(quote).get()
    assert (step.decision, step.decided_by, step.comment) == (
        ApprovalDecision.APPROVED, world["manager"], "OK for volume")
    assert Notification.objects.filter(recipient=world["rep"], verb="quote.approved").exists()
    assert any(m.to == [world["rep"].email] for m in mailoutbox)


def test_above_the_managers_limit_it_goes_up_to_the_admins(world):
    quote = quote_submit(quote=make_quote(world, discount=30), actor=world["rep"])
    assert _candidates(quote) == {world["admin"].email}
    with pytest.raises(PermissionDenied):
        quote_approve(quote=quote, actor=world["manager"])
    assert quote_approve(quote=quote, actor=world["admin"]).status == QuoteStatus.APPROVED


def test_a_manager_of_another_team_cannot_approve(world, tenant_a, in_tenant):
    from tests.crm.accounts.factories import make_account

    outsider_team = make_team("West quotes", managers=[world["manager"]],
                              members=[tenant_a.users["readonly"]])
    assert outsider_team.pk
    account = make_account(owner=world["rep2"], name="South customer")
    quote = quote_submit(quote=make_quote(world, actor=world["rep2"], account=account,
                                          contact=None, discount=15), actor=world["rep2"])
    # rep2's team (South) is managed by the admin: East's manager is no approver.
    assert _candidates(quote) == {world["admin"].email}
    with pytest.raises(PermissionDenied):
        quote_approve(quote=quote, actor=world["manager"])


def test_nobody_approves_their_own_request(world):
    RolePolicy.objects.update_or_create(role="manager", defaults={
        "discount_limit_percent": D(5), "approval_limit_amount": D(0)})
    make_team("Managers", managers=[world["manager"]], members=[world["manager"]])
    quote = quote_submit(quote=make_quote(world, actor=world["manager"], discount=15),
                         actor=world["manager"])
    assert world["manager"].email not in _candidates(quote)
    with pytest.raises(PermissionDenied):
        quote_approve(quote=quote, actor=world["manager"])


def test_rejection_needs_a_comment_returns_to_draft_and_a_resubmission_is_a_new_round(
        world):
    quote = quote_submit(quote=make_quote(world, discount=18), actor=world["rep"])
    with pytest.raises(ValidationError) as error:
        quote_approval_reject(quote=quote, actor=world["manager"], comment=" ")
    assert "comment" in error.value.message_dict
    rejected = quote_approval_reject(quote=quote, actor=world["manager"],
                                     comment="Too deep, try 12 %")
    assert rejected.status == QuoteStatus.DRAFT
    assert Notification.objects.filter(recipient=world["rep"],
                                       verb="quote.approval_rejected").exists()
    changed = quote_update(quote=rejected, actor=world["rep"],
                           lines=[line(world["sensor"], 2, discount_percent=D(12))])
    resubmitted = quote_submit(quote=changed, actor=world["rep"])
    assert resubmitted.status == QuoteStatus.PENDING_APPROVAL
    rounds = list(approvals_for(quote).values_list("round", "decision"))
    assert rounds == [(1, ApprovalDecision.REJECTED), (2, ApprovalDecision.PENDING)]


def test_editing_a_pending_quote_withdraws_the_approval(world):
    quote = quote_submit(quote=make_quote(world, discount=18), actor=world["rep"])
    quote_update(quote=quote, actor=world["rep"], lines=[line(world["sensor"], 1)])
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.DRAFT
    assert approvals_for(quote).get().decision == ApprovalDecision.WITHDRAWN
    assert quote_approval_inbox(viewer=world["manager"]) == []


def test_a_price_below_the_book_and_the_quote_discount_count_as_discount(world):
    # 1200 -> 1020 is 15 % below the book: above the rep's 10 %
    quote = make_quote(world, lines=[line(world["sensor"], 1, unit_price=D("1020.00"))])
    assert quote_max_discount(quote) == D("15.000")
    assert quote_submit(quote=quote, actor=world["rep"]).status == \
        QuoteStatus.PENDING_APPROVAL
    # 5 % on the line and 6 % on the quote: 1 - 0.95 * 0.94 = 10.7 %
    combined = make_quote(world, discount=5, discount_percent=D(6))
    assert quote_max_discount(combined) == D("10.700")
    above_book = make_quote(world, lines=[line(world["sensor"], 1, unit_price=D("1500"))])
    assert quote_max_discount(above_book) == D(0)
    stored = above_book.lines.get()
    assert effective_discount(line=stored, quote_discount=D(0)) == D(0)


def test_nobody_whose_limit_covers_it_is_a_field_error(world):
    RolePolicy.objects.update_or_create(role="admin", defaults={
        "discount_limit_percent": D(40), "approval_limit_amount": None})
    with pytest.raises(ValidationError) as error:
        quote_submit(quote=make_quote(world, discount=50), actor=world["rep"])
    assert "discount_percent" in error.value.message_dict


@pytest.mark.parametrize("change", ["deactivated", "limit_lowered", "role_changed"])
def test_an_approver_who_no_longer_qualifies_cannot_decide(world, change):
    from tenants.users.models import Role, User

    quote = quote_submit(quote=make_quote(world, discount=18), actor=world["rep"])
    manager = world["manager"]  # the candidate when the step opened (this object is stale)
    if change == "deactivated":
        User.objects.filter(pk=manager.pk).update(is_active=False)
    elif change == "limit_lowered":
        RolePolicy.objects.update_or_create(role="manager", defaults={
            "discount_limit_percent": D(15), "approval_limit_amount": None})
    else:
        User.objects.filter(pk=manager.pk).update(role=Role.READ_ONLY)
    with pytest.raises(PermissionDenied):
        quote_approve(quote=quote, actor=manager)
    with pytest.raises(PermissionDenied):
        quote_approval_reject(quote=quote, actor=manager, comment="No")
    assert Quote.objects.get(pk=quote.pk).status == QuoteStatus.PENDING_APPROVAL
    assert approvals_for(quote).get().decision == ApprovalDecision.PENDING


def test_a_discount_on_a_free_text_line_counts_like_on_any_other_line(world):
    quote = make_quote(world, lines=[
        line(world["sensor"], 1),
        line(description="Commissioning", quantity=1, unit_price=D("1000"),
             discount_percent=D(30))])
    assert quote_max_discount(quote) == D("30.000")
    assert quote_submit(quote=quote, actor=world["rep"]).status == \
        QuoteStatus.PENDING_APPROVAL


def test_cutting_a_free_text_lines_price_counts_as_discount_against_its_list_price(world):
    # Quoted at 1,000 and approved at once (no discount) ...
    quote = make_quote(world, lines=[line(description="Commissioning", quantity=1,
                                          unit_price=D("1000"))])
    stored = quote.lines.get()
    assert stored.list_unit_price == D("1000.00")
    assert quote_submit(quote=quote, actor=world["rep"]).status == QuoteStatus.APPROVED
    # ... then cut to 700 in the next revision: 30 % below what it was quoted at.
    revised = quote_update(quote=quote, actor=world["rep"], lines=[
        line(description="commissioning ", quantity=1, unit_price=D("700"))])
    assert revised.revision == 2
    assert quote_max_discount(revised) == D("30.000")
    assert quote_submit(quote=revised, actor=world["rep"]).status == \
        QuoteStatus.PENDING_APPROVAL
    # A price above the list price offsets nothing, as on product lines.
    raised = quote_update(quote=revised, actor=world["rep"], lines=[
        line(description="Commissioning", quantity=1, unit_price=D("1200"),
             discount_percent=D(5))])
    assert quote_max_discount(raised) == D("5.000")
