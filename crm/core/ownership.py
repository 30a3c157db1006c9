"""Owner rules every CRM app's create and edit services share.

A new record's owner: admins and managers may name a user they manage, anyone else only
themselves (crm.core.visibility.managed_user_ids). A plain edit never changes an owner:
accounts change hands through crm.pool (claim, return, assign, reclaim) and the ownership
transfer, which keep the claim cap, the pool rules and the hand-over trail.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from crm.core.visibility import managed_user_ids, manages_user
from tenants.users.models import User


def check_new_owner(*, actor: User | None, owner: User | None) -> None:
    """Raise ValidationError on ``owner`` unless ``actor`` may name ``owner`` as the owner
    of a new record. None (the pool, the unassigned queue) is always allowed; ``actor=None``
    is the system (imports, seeders, the portal)."""
    if actor is None or owner is None or manages_user(actor, owner):
        return
    if managed_user_ids(actor) == frozenset({actor.pk}):
        raise ValidationError({"owner": _("You may only name yourself as the owner.")})
    raise ValidationError({"owner": _("You may only name a user you manage as the owner.")})


def owner_change_refused() -> ValidationError:
    """The error a plain edit answers for a changed owner (400 in the API)."""
    return ValidationError({"owner": _(
        "The owner is not changed here: claim, return or assign through the shared pool, "
        "or use the ownership transfer."
    )})
