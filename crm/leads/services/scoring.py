"""Lead scoring: the sum of the points of every active tenant rule whose condition holds."""

from collections.abc import Iterable
from datetime import timedelta
from typing import TypedDict, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.leads.models import (
    OPEN_STATUSES,
    SCORABLE_FIELDS,
    Lead,
    LeadSource,
    ScoringCriterion,
    ScoringRule,
)
from tenants.users.models import User
from tenants.users.permissions import Capability, can

SCORING_RULE_FIELDS = ("name", "criterion", "field", "value", "points", "active", "order")


class ScoringRuleFields(TypedDict, total=False):
    """What ``scoring_rule_save`` accepts (``SCORING_RULE_FIELDS``)."""

    name: str
    criterion: str
    field: str
    value: str | int
    points: int
    active: bool
    order: int


def active_scoring_rules() -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(active=True).order_by("order", "id"))


def rule_matches(rule: ScoringRule, lead: Lead) -> bool:
    """Whether ``rule``'s condition holds for ``lead`` (pure: no queries)."""
    if rule.criterion == ScoringCriterion.SOURCE_IS:
        return lead.source == rule.value
    if rule.criterion == ScoringCriterion.FIELD_FILLED:
        return bool(str(getattr(lead, rule.field, "") or "").strip())
    if rule.criterion == ScoringCriterion.FIELD_CONTAINS:
        text = str(getattr(lead, rule.field, "") or "")
        return bool(rule.value) and rule.value.casefold() in text.casefold()
    if rule.criterion == ScoringCriterion.RECENT_ACTIVITY:
        if lead.last_activity_at is None:
            return False
        days = int(rule.value or 0)
        return lead.last_activity_at >= timezone.now() - timedelta(days=days)
    if rule.criterion == ScoringCriterion.HAS_CAMPAIGN:
        return lead.campaign_id is not None
    return False


def compute_score(lead: Lead, rules: Iterable[ScoringRule] | None = None) -> int:
    rules = active_scoring_rules() if rules is None else rules
    return sum(rule.points for rule in rules if rule_matches(rule, lead))


def lead_score(*, lead: Lead, rules: Iterable[ScoringRule] | None = None) -> int:
    """Recompute and store ``lead``'s score; returns it."""
    score = compute_score(lead, rules)
    if score != lead.score:
        lead.score = score
        Lead.objects.filter(pk=lead.pk).update(score=score)
    return score


@transaction.atomic
def leads_rescore(*, actor: User | None) -> int:
    """Rescore every open lead (after the rules changed); returns how many changed."""
    if actor is not None and not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied
    rules = active_scoring_rules()
    changed = []
    for lead in Lead.objects.filter(status__in=OPEN_STATUSES).iterator(chunk_size=2000):
        score = compute_score(lead, rules)
        if score != lead.score:
            lead.score = score
            changed.append(lead)
    Lead.objects.bulk_update(changed, ["score"], batch_size=1000)
    return len(changed)


def _validate_scoring_rule(rule: ScoringRule) -> None:
    errors: dict[str, str] = {}
    field_names = {name for name, _label in SCORABLE_FIELDS}
    if rule.criterion == ScoringCriterion.SOURCE_IS:
        if rule.value not in LeadSource.values:
            errors["value"] = _("Choose one of the lead sources: %(sources)s.") % {
                "sources": ", ".join(LeadSource.values)
            }
    elif rule.criterion in (ScoringCriterion.FIELD_FILLED, ScoringCriterion.FIELD_CONTAINS):
        if rule.field not in field_names:
            errors["field"] = _("Choose the lead field this rule looks at.")
        if rule.criterion == ScoringCriterion.FIELD_CONTAINS and not rule.value.strip():
            errors["value"] = _("Enter the text to look for.")
    elif rule.criterion == ScoringCriterion.RECENT_ACTIVITY and (
        not rule.value.isdigit() or int(rule.value) < 1
    ):
        errors["value"] = _("Enter the number of days (1 or more).")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def scoring_rule_save(
    *, actor: User, rule: ScoringRule | None = None, **fields: Unpack[ScoringRuleFields]
) -> ScoringRule:
    """Create (``rule=None``) or change a scoring rule."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied
    rule = rule or ScoringRule()
    for name, value in fields.items():
        if name not in SCORING_RULE_FIELDS:
            raise ValidationError({name: _("Unknown field.")})
        setattr(rule, name, value)
    rule.value = str(rule.value or "").strip()
    _validate_scoring_rule(rule)
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def scoring_rule_delete(*, actor: User, rule: ScoringRule) -> None:
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied
    rule.delete()


DEFAULT_SCORING_RULES: tuple[dict[str, object], ...] = (
    {"name": "Referral", "criterion": ScoringCriterion.SOURCE_IS, "value": "referral",
     "points": 25},
    {"name": "Portal inquiry", "criterion": ScoringCriterion.SOURCE_IS,
     "value": "portal_inquiry", "points": 20},
    {"name": "Trade show", "criterion": ScoringCriterion.SOURCE_IS, "value": "trade_show",
     "points": 15},
    {"name": "Has e-mail", "criterion": ScoringCriterion.FIELD_FILLED, "field": "email",
     "points": 10},
    {"name": "Has phone", "criterion": ScoringCriterion.FIELD_FILLED, "field": "phone",
     "points": 10},
    {"name": "Has title", "criterion": ScoringCriterion.FIELD_FILLED, "field": "title",
     "points": 5},
    {"name": "Has company", "criterion": ScoringCriterion.FIELD_FILLED, "field": "company",
     "points": 10},
    {"name": "Active in the last 14 days", "criterion": ScoringCriterion.RECENT_ACTIVITY,
     "value": "14", "points": 20},
)


def scoring_defaults_ensure() -> int:
    """Give a tenant without scoring rules the default table (idempotent)."""
    if ScoringRule.objects.exists():
        return 0
    ScoringRule.objects.bulk_create(
        [ScoringRule(order=index * 10, **rule) for index, rule in enumerate(DEFAULT_SCORING_RULES)]
    )
    return len(DEFAULT_SCORING_RULES)
