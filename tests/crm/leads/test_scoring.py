from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from crm.leads.models import Lead, ScoringCriterion, ScoringRule
from crm.leads.services import (
    lead_record_activity,
    lead_update,
    leads_rescore,
    scoring_defaults_ensure,
    scoring_rule_save,
)

pytestmark = pytest.mark.usefixtures("no_rules")


def _rules(admin):
    scoring_rule_save(actor=admin, name="Referral", criterion=ScoringCriterion.SOURCE_IS,
                      value="referral", points=30)
    scoring_rule_save(actor=admin, name="Phone", criterion=ScoringCriterion.FIELD_FILLED,
                      field="phone", points=10)
    scoring_rule_save(actor=admin, name="Title", criterion=ScoringCriterion.FIELD_FILLED,
                      field="title", points=5)
    scoring_rule_save(actor=admin, name="Gmail", criterion=ScoringCriterion.FIELD_CONTAINS,
                      field="email", value="@gmail.", points=-15)
    scoring_rule_save(actor=admin, name="Recent", criterion=ScoringCriterion.RECENT_ACTIVITY,
                      value="7", points=20)


def test_score_is_the_sum_of_matching_rules_by_source_and_completeness(
    tenant_a, in_tenant, people_a, make_lead
):
    with in_tenant(tenant_a):
        _rules(people_a["admin"])
        full = make_lead(actor=people_a["rep"], source="referral", phone="+1 555 0100",
                         title="CTO")
        bare = make_lead(actor=people_a["rep"], source="web_form", email="x@gmail.com")
        assert full.score == 30 + 10 + 5
        assert bare.score == -15
        assert Lead.objects.get(pk=full.pk).score == 45


def test_score_follows_edits_and_recent_activity(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        _rules(people_a["admin"])
        lead = make_lead(actor=people_a["rep"], source="web_form")
        assert lead.score == 0
        lead_update(lead=lead, actor=people_a["rep"], phone="+1 555 0101")
        assert lead.score == 10
        lead_record_activity(lead_id=lead.pk, at=timezone.now() - timedelta(days=2))
        assert Lead.objects.get(pk=lead.pk).score == 30


def test_old_activity_does_not_count_as_recent(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        _rules(people_a["admin"])
        lead = make_lead(actor=people_a["rep"])
        lead_record_activity(lead_id=lead.pk, at=timezone.now() - timedelta(days=30))
        assert Lead.objects.get(pk=lead.pk).score == 0


def test_rescore_applies_changed_rules_to_open_leads(tenant_a, in_tenant, people_a, make_lead):
    with in_tenant(tenant_a):
        lead = make_lead(actor=people_a["rep"], source="referral")
        assert lead.score == 0
        _rules(people_a["admin"])
        assert leads_rescore(actor=people_a["admin"]) >= 1
        assert Lead.objects.get(pk=lead.pk).score == 30


def test_scoring_rule_validation_rejects_unknown_source_and_missing_field(
    tenant_a, in_tenant, people_a
):
    with in_tenant(tenant_a):
        with pytest.raises(ValidationError) as source_error:
            scoring_rule_save(actor=people_a["admin"], name="x",
                              criterion=ScoringCriterion.SOURCE_IS, value="carrier_pigeon",
                              points=5)
        assert "value" in source_error.value.message_dict
        with pytest.raises(ValidationError) as field_error:
            scoring_rule_save(actor=people_a["admin"], name="x",
                              criterion=ScoringCriterion.FIELD_FILLED, points=5)
        assert "field" in field_error.value.message_dict
        with pytest.raises(ValidationError):
            scoring_rule_save(actor=people_a["admin"], name="x",
                              criterion=ScoringCriterion.RECENT_ACTIVITY, value="soon",
                              points=5)
        assert not ScoringRule.objects.exists()


def test_only_settings_managers_edit_scoring_rules(tenant_a, in_tenant, people_a):
    from django.core.exceptions import PermissionDenied

    with in_tenant(tenant_a), pytest.raises(PermissionDenied):
        scoring_rule_save(actor=people_a["manager"], name="x",
                          criterion=ScoringCriterion.SOURCE_IS, value="referral", points=5)


def test_default_scoring_table_is_added_once(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        assert scoring_defaults_ensure() > 0
        count = ScoringRule.objects.count()
        assert scoring_defaults_ensure() == 0
        assert ScoringRule.objects.count() == count
