from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from crm.core.models import AuditEntry
from crm.sales.models import Opportunity, Pipeline, StageHistory
from crm.sales.services import (
    KeyActionsIncompleteError,
    default_pipeline_ensure,
    key_action_complete,
    opportunity_move_stage,
    opportunity_update,
)
from tests.crm.sales.conftest import stage_named


def _complete_stage(opportunity: Opportunity, stage_name: str, actor) -> None:
    for action in stage_named(stage_name).key_actions.filter(required=True):
        key_action_complete(opportunity=opportunity, key_action=action, actor=actor)


def test_provisioned_tenant_has_default_pipeline_with_stages(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        pipeline = Pipeline.objects.get(is_default=True)
        stages = list(pipeline.stages.values_list("name", "probability", "is_won", "is_lost"))
        assert stages == [
            ("Qualification", 10, False, False), ("Needs analysis", 25, False, False),
            ("Proposal", 50, False, False), ("Negotiation", 75, False, False),
            ("Won", 100, True, False), ("Lost", 0, False, True),
        ]
        assert stage_named("Qualification").key_actions.filter(required=True).count() == 2


def test_default_pipeline_step_is_idempotent(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        before = (Pipeline.objects.count(), StageHistory.objects.count())
        default_pipeline_ensure()
        default_pipeline_ensure()
        assert Pipeline.objects.count() == before[0]
        assert stage_named("Qualification").key_actions.count() == 3


def test_create_starts_in_first_stage_with_tenant_currency_and_history(
    tenant_a, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep, amount="2500.50")
        assert opportunity.stage.name == "Qualification"
        assert opportunity.probability == 10
        assert opportunity.currency == tenant_a.tenant.currency
        assert opportunity.amount == Decimal("2500.50")
        history = list(opportunity.stage_history.all())
        assert [entry.stage.name for entry in history] == ["Qualification"]
        assert AuditEntry.objects.filter(object_id=opportunity.pk, action="create").exists()


def test_create_rejects_negative_amount_and_bad_currency(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        with pytest.raises(ValidationError) as error:
            make_opportunity(owner=rep, amount=-1)
        assert "amount" in error.value.message_dict
        with pytest.raises(ValidationError) as error:
            make_opportunity(owner=rep, currency="DOLLARS")
        assert "currency" in error.value.message_dict


def test_move_forward_is_refused_until_required_key_actions_are_done(
    tenant_a, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        with pytest.raises(KeyActionsIncompleteError) as error:
            opportunity_move_stage(opportunity=opportunity, stage=stage_named("Needs analysis"),
                                   actor=rep)
        assert "Budget confirmed" in str(error.value)
        _complete_stage(opportunity, "Qualification", rep)
        moved = opportunity_move_stage(opportunity=opportunity,
                                       stage=stage_named("Needs analysis"), actor=rep)
        assert moved.stage.name == "Needs analysis"
        assert moved.probability == 25
        entries = list(moved.stage_history.order_by("entered_at", "id"))
        assert entries[0].left_at is not None
        assert entries[1].left_at is None
        assert not entries[1].overridden


def test_skipping_a_stage_needs_its_key_actions_too(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        _complete_stage(opportunity, "Qualification", rep)
        with pytest.raises(KeyActionsIncompleteError) as error:
            opportunity_move_stage(opportunity=opportunity, stage=stage_named("Proposal"),
                                   actor=rep)
        assert [a.label for a in error.value.missing] == [
            "Requirements documented", "Buying committee mapped"
        ]


def test_moving_back_needs_no_key_actions(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep, stage=stage_named("Proposal"))
        moved = opportunity_move_stage(opportunity=opportunity,
                                       stage=stage_named("Qualification"), actor=rep)
        assert moved.stage.name == "Qualification"


def test_manager_override_is_recorded_in_history_and_audit(
    tenant_a, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        manager = tenant_a.users["manager"]
        opportunity = make_opportunity(owner=tenant_a.users["rep"])
        moved = opportunity_move_stage(
            opportunity=opportunity, stage=stage_named("Needs analysis"), actor=manager,
            override_reason="Customer signed a letter of intent",
        )
        entry = moved.stage_history.get(left_at__isnull=True)
        assert entry.overridden
        assert entry.override_reason == "Customer signed a letter of intent"
        assert entry.moved_by == manager
        audit = AuditEntry.objects.get(object_id=opportunity.pk, action="stage_change")
        assert audit.data["override_reason"] == "Customer signed a letter of intent"
        assert "Budget confirmed" in audit.data["skipped_key_actions"]
        assert audit.actor == manager


def test_rep_cannot_override_key_actions(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        with pytest.raises(PermissionDenied):
            opportunity_move_stage(opportunity=opportunity, stage=stage_named("Needs analysis"),
                                   actor=rep, override_reason="trust me")
        opportunity.refresh_from_db()
        assert opportunity.stage.name == "Qualification"


def test_won_sets_closed_at_and_full_probability(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep, stage=stage_named("Negotiation"))
        _complete_stage(opportunity, "Negotiation", rep)
        won = opportunity_move_stage(opportunity=opportunity, stage=stage_named("Won"), actor=rep)
        assert won.closed_at is not None
        assert won.probability == 100


def test_lost_requires_a_reason_and_closes(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        with pytest.raises(ValidationError) as error:
            opportunity_move_stage(opportunity=opportunity, stage=stage_named("Lost"), actor=rep)
        assert "lost_reason" in error.value.message_dict
        lost = opportunity_move_stage(opportunity=opportunity, stage=stage_named("Lost"),
                                      actor=rep, lost_reason="Price")
        assert lost.closed_at is not None
        assert lost.probability == 0
        assert lost.lost_reason == "Price"
        reopened = opportunity_move_stage(opportunity=lost, stage=stage_named("Qualification"),
                                          actor=rep)
        assert reopened.closed_at is None
        assert reopened.lost_reason == ""


def test_probability_override_survives_stage_moves_until_reset(
    tenant_a, in_tenant, make_opportunity
):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep, stage=stage_named("Needs analysis"))
        updated = opportunity_update(opportunity=opportunity, actor=rep, probability=40)
        assert updated.probability_overridden
        moved = opportunity_move_stage(opportunity=updated, stage=stage_named("Qualification"),
                                       actor=rep)
        assert moved.probability == 40
        reset = opportunity_update(opportunity=moved, actor=rep, probability=None)
        assert reset.probability == 10
        assert not reset.probability_overridden
        history = AuditEntry.objects.filter(object_id=opportunity.pk, action="update")
        assert any("probability" in entry.changes for entry in history)


def test_update_rejects_bad_probability(tenant_a, in_tenant, make_opportunity):
    with in_tenant(tenant_a):
        rep = tenant_a.users["rep"]
        opportunity = make_opportunity(owner=rep)
        with pytest.raises(ValidationError) as error:
            opportunity_update(opportunity=opportunity, actor=rep, probability=140)
        assert "probability" in error.value.message_dict
