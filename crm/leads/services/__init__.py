"""Lead and campaign commands (one module per concern; import from here)."""

from crm.leads.services.assignment import (
    assignment_rule_delete,
    assignment_rule_save,
    can_own_leads,
    next_in_team,
    owner_by_rules,
)
from crm.leads.services.campaigns import campaign_create, campaign_quick_entry, campaign_update
from crm.leads.services.conversion import Conversion, DuplicateAccountError, lead_convert
from crm.leads.services.leads import (
    lead_assign,
    lead_create,
    lead_disqualify,
    lead_record_activity,
    lead_update,
)
from crm.leads.services.scoring import (
    compute_score,
    lead_score,
    leads_rescore,
    scoring_defaults_ensure,
    scoring_rule_delete,
    scoring_rule_save,
)

__all__ = [
    "Conversion",
    "DuplicateAccountError",
    "assignment_rule_delete",
    "assignment_rule_save",
    "campaign_create",
    "campaign_quick_entry",
    "campaign_update",
    "can_own_leads",
    "compute_score",
    "lead_assign",
    "lead_convert",
    "lead_create",
    "lead_disqualify",
    "lead_record_activity",
    "lead_score",
    "lead_update",
    "leads_rescore",
    "next_in_team",
    "owner_by_rules",
    "scoring_defaults_ensure",
    "scoring_rule_delete",
    "scoring_rule_save",
]
