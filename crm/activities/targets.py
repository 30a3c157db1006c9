"""The records an activity may hang on (account, contact, lead, opportunity), resolved
lazily so that crm.activities imports none of those apps' models at import time.

Each target type names the model and the accessor that fetches a record by id *and* checks
that the viewer may see it (Http404 otherwise); an app that is not installed simply offers
no target of its type."""

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404

from tenants.users.models import User


@dataclass(frozen=True)
class TargetType:
    key: str
    model_label: str  # "app_label.ModelName"
    accessor: str  # "module:function", called as function(viewer=, <id_kwarg>=)
    id_kwarg: str
    # Attribute on the record holding the account the activity counts for.
    account_attr: str | None

    def model(self) -> type[models.Model] | None:
        try:
            return apps.get_model(self.model_label)
        except LookupError:
            return None

    def get_for(self, *, viewer: User, object_id: Any) -> models.Model:
        module_name, function_name = self.accessor.split(":")
        try:
            accessor: Callable[..., models.Model] = getattr(import_module(module_name),
                                                             function_name)
        except (ImportError, AttributeError):
            raise Http404 from None
        return accessor(viewer=viewer, **{self.id_kwarg: object_id})


TARGET_TYPES: dict[str, TargetType] = {
    "account": TargetType("account", "crm_accounts.Account",
                          "crm.accounts.selectors:account_get_for", "account_id", None),
    "contact": TargetType("contact", "crm_accounts.Contact",
                          "crm.accounts.selectors:contact_get_for", "contact_id", "account_id"),
    "lead": TargetType("lead", "crm_leads.Lead", "crm.leads.selectors:lead_get_for", "lead_id",
                       "converted_account_id"),
    "opportunity": TargetType("opportunity", "crm_sales.Opportunity",
                              "crm.sales.selectors:opportunity_get_for", "opportunity_id",
                              "account_id"),
}
# Targets only sales staff see: activities on them are hidden from other roles.
SALES_TARGET_KEYS = ("lead", "opportunity")


def target_type_keys() -> list[str]:
    return [key for key, target in TARGET_TYPES.items() if target.model() is not None]


def target_get_for(*, viewer: User, target_type: str, target_id: Any) -> models.Model:
    """The record of that type and id if ``viewer`` may see it; Http404 otherwise."""
    target = TARGET_TYPES.get(target_type)
    if target is None or target.model() is None:
        raise Http404
    return target.get_for(viewer=viewer, object_id=target_id)


def target_key_of(record: models.Model | type[models.Model]) -> str | None:
    label = record._meta.label
    for key, target in TARGET_TYPES.items():
        if target.model_label == label:
            return key
    return None


def account_id_of(record: models.Model) -> int | None:
    """The account an activity on ``record`` counts for (None when there is none)."""
    key = target_key_of(record)
    if key == "account":
        return record.pk
    target = TARGET_TYPES.get(key or "")
    if target is None or target.account_attr is None:
        return getattr(record, "account_id", None)
    return getattr(record, target.account_attr, None)


def content_types_for(keys: tuple[str, ...]) -> list[ContentType]:
    models_found = [TARGET_TYPES[key].model() for key in keys]
    return [ContentType.objects.get_for_model(model) for model in models_found if model]
