"""The order approval chain: every path below and above the threshold, rejection and a new
round, nobody approves their own, other teams' managers and reps cannot approve, role limits,
foreign currencies, the lock after approval and the amendment flow."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.approvals import pending_step
from crm.core.events import subscriber
from crm.core.models import Approval, AuditEntry, Notification
from crm.orders.models import ApprovalChainStep, Order, OrderStatus
from crm.orders.services import (
    order_amend,
    order_approve,
    order_reject,
    order_submit,
    order_update,
)
from crm.staff.services.role_policies import role_policy_update
from tests.crm.orders.factories import make_order

D = Decimal
events: list = []


@subscriber("order.approved")
def _record(event):
    events.append(event)


def _candidates(order):
    return {user.pk for user in pending_step(order).candidates.all()}


@pytest.fixture
def chain(world, in_tenant):
    with in_tenant(world["tenant"]):
        yield world


def test_the_default_chain_is_seeded_for_every_tenant(chain):
    steps = list(ApprovalChainStep.objects.values_list("position", "approver_kind", "role",
                                                        "min_amount"))
    assert steps == [(1, "team_manager", "", D(0)), (2, "role", "admin", D(500000))]


def test_below_the_threshold_only_the_team_manager_approves(
        chain, django_capture_on_commit_callbacks):
    events.clear()
    order = make_order(account=chain["account"], actor=chain["rep"], amount="1000")
    order = order_submit(order=order, actor=chain["rep"])
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert [step["label"] for step in order.approval_plan] == ["Sales manager review"]
    assert _candidates(order) == {chain["manager"].pk}
    assert Notification.objects.filter(recipient=chain["manager"],
                                       verb="order.approval_requested").exists()
    with django_capture_on_commit_callbacks(execute=True):
        order = order_approve(order=order, actor=chain["manager"], comment="fine")
    assert order.status == OrderStatus.APPROVED
    assert order.approved_at is not None
    assert [event.data["order"] for event in events] == [order.pk]
    assert AuditEntry.objects.filter(object_id=order.pk, action="approval.approved").count() == 1


def test_above_the_threshold_the_manager_reviews_and_finance_rechecks(chain):
    order = make_order(account=chain["account"], actor=chain["rep"], amount="600000")
    order = order_submit(order=order, actor=chain["rep"])
    assert [step["label"] for step in order.approval_plan] == ["Sales manager review",
                                                               "Finance re-check"]
    assert _candidates(order) == {chain["manager"].pk}
    with pytest.raises(PermissionDenied):  # finance waits for the manager's step
        order_approve(order=order, actor=chain["admin"])
    order = order_approve(order=order, actor=chain["manager"])
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert _candidates(order) == {chain["admin"].pk}
    order = order_approve(order=order, actor=chain["admin"], comment="checked")
    assert order.status == OrderStatus.APPROVED
    decided = Approval.objects.filter(object_id=order.pk, decision="approved").order_by("step")
    assert [(a.step, a.decided_by_id) for a in decided] == [
        (1, chain["manager"].pk), (2, chain["admin"].pk)]


def test_the_threshold_is_inclusive(chain):
    order = make_order(account=chain["account"], actor=chain["rep"], amount="500000")
    assert len(order_submit(order=order, actor=chain["rep"]).approval_plan) == 2


def test_rejection_returns_the_order_to_its_author_and_resubmission_is_a_new_round(chain):
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                         actor=chain["rep"])
    with pytest.raises(ValidationError):
        order_reject(order=order, actor=chain["manager"], comment="  ")
    order = order_reject(order=order, actor=chain["manager"], comment="Wrong price")
    assert order.status == OrderStatus.DRAFT
    note = Notification.objects.get(recipient=chain["rep"], verb="order.rejected")
    assert "Wrong price" in note.message
    order = order_update(order=order, actor=chain["rep"], payment_terms="60 days")
    order = order_submit(order=order, actor=chain["rep"])
    order = order_approve(order=order, actor=chain["manager"])
    trail = list(Approval.objects.filter(object_id=order.pk).order_by("round", "step")
                 .values_list("round", "decision", "comment"))
    assert trail == [(1, "rejected", "Wrong price"), (2, "approved", "")]
    assert AuditEntry.objects.filter(object_id=order.pk, action="approval.rejected").exists()


def test_nobody_approves_their_own_order(chain):
    account = chain["account"]
    order = make_order(account=account, actor=chain["manager"], owner=chain["manager"])
    order = order_submit(order=order, actor=chain["manager"])
    # The manager is in no team as a member: the step goes up to whoever's limit covers it.
    assert chain["manager"].pk not in _candidates(order)
    assert chain["admin"].pk in _candidates(order)
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=chain["manager"])


def test_the_owner_cannot_approve_an_order_someone_else_submitted(chain):
    order = make_order(account=chain["account"], actor=chain["rep"], owner=chain["manager"])
    order = order_submit(order=order, actor=chain["rep"])
    assert chain["manager"].pk not in _candidates(order)
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=chain["manager"])


def test_one_person_decides_one_step_of_a_round(chain):
    from tenants.users.models import Role, User, UserKind

    other_admin = User.objects.create_user(
        email="admin2@alpha.test", password="x-Long-enough-9", role=Role.ADMIN,
        kind=UserKind.STAFF, first_name="Second", last_name="Admin")
    # The manager's own order goes up at step 1; an admin decides it, and the finance
    # re-check (role admin) must then be somebody else.
    order = make_order(account=chain["account"], actor=chain["manager"],
                       owner=chain["manager"], amount="600000")
    order = order_submit(order=order, actor=chain["manager"])
    assert chain["admin"].pk in _candidates(order)
    order = order_approve(order=order, actor=chain["admin"])
    assert order.status == OrderStatus.PENDING_APPROVAL
    assert pending_step(order).step == 2
    assert _candidates(order) == {other_admin.pk}
    # Refused at decision time too, even when the step lists that person.
    pending_step(order).candidates.add(chain["admin"])
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=chain["admin"])
    with pytest.raises(PermissionDenied):
        order_reject(order=order, actor=chain["admin"], comment="again me")
    order = order_approve(order=order, actor=other_admin)
    assert order.status == OrderStatus.APPROVED


def test_where_one_person_is_the_only_approver_they_decide_both_steps(chain):
    """A company with one admin: the escalated step 1 and the finance re-check both fall to
    that admin (the trail says why), rather than an order nobody can ever approve."""
    order = make_order(account=chain["account"], actor=chain["manager"],
                       owner=chain["manager"], amount="600000")
    order = order_submit(order=order, actor=chain["manager"])
    order = order_approve(order=order, actor=chain["admin"])
    step = pending_step(order)
    assert (step.step, _candidates(order)) == (2, {chain["admin"].pk})
    assert "Nobody else can approve this step" in step.reason
    order = order_approve(order=order, actor=chain["admin"])
    assert order.status == OrderStatus.APPROVED


def test_a_manager_of_another_team_cannot_approve(chain):
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                         actor=chain["rep"])
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=chain["manager2"])
    with pytest.raises(PermissionDenied):
        order_reject(order=order, actor=chain["manager2"], comment="no")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_APPROVAL


def test_a_rep_cannot_approve(chain):
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                         actor=chain["rep"])
    for rep in (chain["rep"], chain["rep2"]):
        with pytest.raises(PermissionDenied):
            order_approve(order=order, actor=rep)


def test_a_role_limit_below_the_total_sends_the_final_step_up(chain):
    role_policy_update(role="manager", discount_limit_percent=D(25),
                       approval_limit_amount=D(500), actor=chain["admin"])
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"],
                                          amount="1000"), actor=chain["rep"])
    assert _candidates(order) == {chain["admin"].pk}
    assert pending_step(order).reason  # "it went up"
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=chain["manager"])
    assert order_approve(order=order, actor=chain["admin"]).status == OrderStatus.APPROVED


def test_a_role_without_an_approval_limit_never_approves_a_step(chain):
    ApprovalChainStep.objects.filter(position=1).update(approver_kind="role", role="sales_rep")
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                         actor=chain["rep"])
    assert chain["rep2"].pk not in _candidates(order)


def test_without_steps_a_covering_limit_approves_at_once_and_a_rep_still_needs_approval(chain):
    ApprovalChainStep.objects.all().delete()
    own = order_submit(order=make_order(account=chain["account"], actor=chain["manager"],
                                        owner=chain["manager"]), actor=chain["manager"])
    assert own.status == OrderStatus.APPROVED
    theirs = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                          actor=chain["rep"])
    assert theirs.status == OrderStatus.PENDING_APPROVAL
    assert chain["rep"].pk not in _candidates(theirs)


def test_an_order_in_another_currency_needs_every_step(chain):
    from crm.orders.selectors import tenant_currency

    other = "EUR" if tenant_currency() != "EUR" else "USD"
    order = make_order(account=chain["account"], actor=chain["rep"], amount="10",
                       currency=other)
    order = order_submit(order=order, actor=chain["rep"])
    assert len(order.approval_plan) == 2
    order = order_approve(order=order, actor=chain["manager"])
    # No exchange rates: only an unlimited approver gives the final approval.
    assert _candidates(order) == {chain["admin"].pk}


def test_an_approved_order_is_locked_against_edits(chain):
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"]),
                         actor=chain["rep"])
    with pytest.raises(ValidationError):  # pending: with its approvers
        order_update(order=order, actor=chain["rep"], payment_terms="changed")
    order = order_approve(order=order, actor=chain["manager"])
    with pytest.raises(ValidationError) as error:
        order_update(order=order, actor=chain["rep"], payment_terms="changed")
    assert error.value.code == "locked"
    with pytest.raises(ValidationError):
        order_submit(order=order, actor=chain["rep"])


def test_an_amendment_is_a_new_revision_with_its_own_approval(chain):
    order = order_submit(order=make_order(account=chain["account"], actor=chain["rep"],
                                          amount="1000"), actor=chain["rep"])
    order = order_approve(order=order, actor=chain["manager"])
    amendment = order_amend(order=order, actor=chain["rep"])
    assert (amendment.number, amendment.revision, amendment.amends_id, amendment.status) == (
        order.number, 2, order.pk, OrderStatus.DRAFT)
    assert order_amend(order=order, actor=chain["rep"]) == amendment  # one open amendment
    amendment = order_update(order=amendment, actor=chain["rep"], discount_percent=D(10))
    assert amendment.total == D("900.00")
    amendment = order_submit(order=amendment, actor=chain["rep"])
    # The original stays in force until the amendment is approved.
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED
    amendment = order_approve(order=amendment, actor=chain["manager"])
    assert amendment.status == OrderStatus.APPROVED
    assert Order.objects.get(pk=order.pk).status == OrderStatus.SUPERSEDED
    with pytest.raises(ValidationError):
        order_amend(order=Order.objects.get(pk=order.pk), actor=chain["rep"])
    third = order_amend(order=amendment, actor=chain["rep"])
    assert third.revision == 3
    assert str(third) == f"{order.number} rev 3"


def test_a_rejected_amendment_leaves_the_original_in_force(chain):
    order = order_approve(order=order_submit(order=make_order(
        account=chain["account"], actor=chain["rep"]), actor=chain["rep"]),
        actor=chain["manager"])
    amendment = order_submit(order=order_amend(order=order, actor=chain["rep"]),
                             actor=chain["rep"])
    order_reject(order=amendment, actor=chain["manager"], comment="Keep it as it was")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.APPROVED
    assert Order.objects.get(pk=amendment.pk).status == OrderStatus.DRAFT


def test_a_draft_cannot_be_amended(chain):
    with pytest.raises(ValidationError):
        order_amend(order=make_order(account=chain["account"], actor=chain["rep"]),
                    actor=chain["rep"])


@pytest.mark.parametrize("change", ["deactivated", "role_changed", "limit_removed"])
def test_an_approver_who_no_longer_qualifies_cannot_decide(chain, change):
    from tenants.users.models import Role, User

    order = make_order(account=chain["account"], actor=chain["rep"], amount="1000")
    order = order_submit(order=order, actor=chain["rep"])
    manager = chain["manager"]  # the candidate when the step opened (this object is stale)
    assert _candidates(order) == {manager.pk}
    if change == "deactivated":
        User.objects.filter(pk=manager.pk).update(is_active=False)
    elif change == "role_changed":
        User.objects.filter(pk=manager.pk).update(role=Role.SALES_REP)
    else:
        role_policy_update(role="manager", discount_limit_percent=D(20),
                           approval_limit_amount=D(0), actor=chain["admin"])
    with pytest.raises(PermissionDenied):
        order_approve(order=order, actor=manager)
    with pytest.raises(PermissionDenied):
        order_reject(order=order, actor=manager, comment="No")
    assert Order.objects.get(pk=order.pk).status == OrderStatus.PENDING_APPROVAL
