"""The one approval trail: only candidates decide, never their own request, a rejection says
why, a decision is final, and a new submission starts a new round."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.approvals import (
    approval_decide,
    approval_inbox,
    approval_open,
    approvals_for,
    approvals_withdraw,
    next_round,
    pending_step,
)
from crm.core.models import ApprovalDecision
from tests.crm.accounts.factories import make_account


@pytest.fixture
def world(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        yield {**tenant_a.users, "target": make_account(name="Approval Target Ltd")}


def test_the_requester_is_never_a_candidate_and_only_candidates_decide(world):
    step = approval_open(world["target"], round=1, step=1, requested_by=world["rep"],
                         candidates=[world["rep"], world["manager"]])
    assert list(step.candidates.all()) == [world["manager"]]
    with pytest.raises(PermissionDenied):
        approval_decide(step, actor=world["rep"], approve=True)
    with pytest.raises(PermissionDenied):
        approval_decide(step, actor=world["admin"], approve=True)
    assert list(approval_inbox(world["manager"])) == [step]
    assert not approval_inbox(world["admin"]).exists()
    decided = approval_decide(step, actor=world["manager"], approve=True, comment=" fine ",
                              target=world["target"])
    assert (decided.decision, decided.decided_by, decided.comment) == (
        ApprovalDecision.APPROVED, world["manager"], "fine")
    with pytest.raises(ValidationError):
        approval_decide(step, actor=world["manager"], approve=False, comment="changed my mind")


def test_a_step_nobody_can_approve_is_refused(world):
    with pytest.raises(ValidationError):
        approval_open(world["target"], round=1, step=1, requested_by=world["rep"],
                      candidates=[world["rep"]])


def test_a_rejection_needs_a_comment(world):
    step = approval_open(world["target"], round=1, step=1, requested_by=world["rep"],
                         candidates=[world["manager"]])
    with pytest.raises(ValidationError):
        approval_decide(step, actor=world["manager"], approve=False, comment="  ")
    approval_decide(step, actor=world["manager"], approve=False, comment="Too cheap")
    assert pending_step(world["target"]) is None


def test_rounds_keep_the_earlier_decisions(world):
    first = approval_open(world["target"], round=next_round(world["target"]), step=1,
                          requested_by=world["rep"], candidates=[world["manager"]])
    assert approvals_withdraw(world["target"]) == 1
    second = approval_open(world["target"], round=next_round(world["target"]), step=1,
                           requested_by=world["rep"], candidates=[world["manager"]])
    assert (first.round, second.round) == (1, 2)
    assert [(a.round, a.decision) for a in approvals_for(world["target"])] == [
        (1, ApprovalDecision.WITHDRAWN), (2, ApprovalDecision.PENDING)]
    assert pending_step(world["target"]) == second
