"""Account and contact commands: each one transaction, keyword-only, taking the actor.

Other CRM apps call these (lead conversion creates accounts and contacts here; activities
call ``account_team_notify``); nobody writes Account or Contact rows directly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, TypedDict, Unpack

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from crm.accounts.duplicates import alias_table
from crm.accounts.models import (
    Account,
    AccountSettings,
    AccountTeamMember,
    AccountTeamRole,
    Contact,
    NameAlias,
)
from crm.accounts.normalize import AliasTable, domain_of, normalize_name, normalize_phone
from crm.accounts.selectors import account_ancestor_ids, account_is_visible
from crm.core.audit import audit_changes, audit_event, audit_snapshot
from crm.core.events import emit
from crm.core.models import Notification
from crm.core.notifications import notify
from crm.core.ownership import check_new_owner, owner_change_refused
from crm.core.regions import region_clean
from crm.core.visibility import managed_user_ids
from tenants.users.models import User
from tenants.users.permissions import Capability, can


class AccountFields(TypedDict, total=False):
    """What a caller may set on an account (``ACCOUNT_FIELDS``); mypy checks callers."""

    name: str
    type: str
    industry: str
    region: str
    tier: str
    tags: list[str]
    address: str
    city: str
    country: str
    phone: str
    website: str
    owner: User | None
    parent: Account | None
    external_id: str | None
    value_score: int
    last_activity_at: datetime | None


class ContactFields(TypedDict, total=False):
    """What a caller may set on a contact besides its account (``CONTACT_FIELDS``)."""

    first_name: str
    last_name: str
    title: str
    department: str
    phone: str
    mobile: str
    email: str
    buying_role: str
    influence: int
    attitude: str
    reports_to: Contact | None
    covered_by: User | None
    external_id: str | None


class ContactUpdateFields(ContactFields, total=False):
    account: Account

# Fields a caller may set; the audit log records changes to every one of them.
ACCOUNT_FIELDS = (
    "name", "type", "industry", "region", "tier", "tags", "address", "city", "country",
    "phone", "website", "owner", "parent", "external_id", "value_score", "last_activity_at",
)
ACCOUNT_AUDITED_FIELDS = tuple(f for f in ACCOUNT_FIELDS if f != "last_activity_at")
# Fields whose surviving value the merge wizard lets the user pick.
ACCOUNT_MERGE_FIELDS = (
    "name", "type", "industry", "region", "tier", "tags", "address", "city", "country",
    "phone", "website", "owner", "parent", "external_id", "value_score",
)
CONTACT_FIELDS = (
    "account", "first_name", "last_name", "title", "department", "phone", "mobile", "email",
    "buying_role", "influence", "attitude", "reports_to", "covered_by", "external_id",
)


def account_event_data(account: Account) -> dict[str, Any]:
    """The stable JSON of an account in domain events (webhook bodies): ids, names, strings."""
    return {
        "id": account.pk, "name": account.name, "type": account.type,
        "industry": account.industry, "region": account.region, "tier": account.tier,
        "tags": list(account.tags or []), "city": account.city, "country": account.country,
        "phone": account.phone, "website": account.website,
        "owner": account.owner_id, "parent": account.parent_id,
        "external_id": account.external_id,
        "created_at": account.created_at.isoformat() if account.created_at else None,
        "updated_at": account.updated_at.isoformat() if account.updated_at else None,
    }


def _emit_updated(account: Account, changes: Mapping[str, Any]) -> None:
    emit("account.updated", data={"account": account_event_data(account),
                                  "changed": sorted(changes)})


def _require_edit(actor: User | None) -> None:
    """``actor=None`` is the system (seeders, provisioning, tasks); people need the right."""
    if actor is not None and not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not change records."))


def _check_fields(fields: Mapping[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in unknown})


def _apply_derived(account: Account, aliases: AliasTable | None = None) -> None:
    account.name = (account.name or "").strip()
    account.name_normalized = normalize_name(account.name, aliases or alias_table())
    account.phone_normalized = normalize_phone(account.phone)
    account.domain = domain_of(account.website)
    if account.external_id is not None:
        account.external_id = account.external_id.strip() or None
    account.tags = sorted({tag.strip() for tag in account.tags or [] if tag and tag.strip()})


def _validate_account(account: Account) -> None:
    if account.external_id:
        clash = Account.objects.filter(external_id=account.external_id).exclude(pk=account.pk)
        if clash.exists():
            raise ValidationError({"external_id": _("Another account has this external id.")})
    account.full_clean(exclude=["created_by", "owner", "parent"], validate_unique=False)


def _check_parent_visible(actor: User | None, parent: Account | None, *,
                          current_parent_id: int | None = None) -> None:
    """A parent the actor names must be one they may see (crm.accounts.selectors), whether
    it comes from a form, the API or an import file; the same answer as for an id that does
    not exist, so nothing is learnt about others' accounts. Keeping the parent an account
    already has is no new choice (a full PUT repeats it). ``actor`` None: system work."""
    if parent is None or actor is None or parent.pk == current_parent_id:
        return
    if not account_is_visible(viewer=actor, account=parent):
        raise ValidationError({"parent": _("No account you can see has this id.")},
                              code="parent_not_visible")


def _check_parent(account: Account, new_parent: Account | None) -> None:
    """No cycles: the new parent may be neither the account nor one of its descendants."""
    if new_parent is None or account.pk is None:
        return
    if new_parent.pk == account.pk:
        raise ValidationError({"parent": _("An account cannot be its own parent.")})
    if account.pk in account_ancestor_ids(account_id=new_parent.pk):
        raise ValidationError({
            "parent": _("%(parent)s is a branch of %(account)s: moving %(account)s under it "
                        "would create a cycle.") % {"parent": new_parent.name,
                                                    "account": account.name}
        })


@transaction.atomic
def account_create(*, actor: User | None, **fields: Unpack[AccountFields]) -> Account:
    """A new account. The owner defaults to the actor; the owner joins the account team.
    An explicit owner follows ``check_new_owner`` (a rep only themselves)."""
    _require_edit(actor)
    _check_fields(fields, ACCOUNT_FIELDS)
    fields.setdefault("owner", actor)
    check_new_owner(actor=actor, owner=fields["owner"])
    _check_parent_visible(actor, fields.get("parent"))
    if "region" in fields:
        fields["region"] = region_clean(fields["region"])
    account = Account(created_by=actor, **fields)
    _apply_derived(account)
    _validate_account(account)
    account.save()
    if account.owner_id is not None:
        AccountTeamMember.objects.get_or_create(
            account=account, user_id=account.owner_id, defaults={"role": AccountTeamRole.OWNER}
        )
    audit_event(instance=account, action="create", actor=actor,
                data=audit_snapshot(account, ACCOUNT_AUDITED_FIELDS))
    emit("account.created", data={"account": account_event_data(account)})
    return account


@transaction.atomic
def account_update(*, account: Account, actor: User | None,
                   **fields: Unpack[AccountFields]) -> Account:
    """Change fields; every change is kept in the field history (crm.core.audit).

    The owner may be repeated unchanged (a full PUT) but never changed here (ValidationError
    on ``owner``): owners change through crm.pool's claim/return/assign/transfer."""
    _require_edit(actor)
    _check_fields(fields, ACCOUNT_FIELDS)
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = audit_snapshot(account, ACCOUNT_AUDITED_FIELDS)
    if "owner" in fields:
        new_owner = fields.pop("owner")
        if (new_owner.pk if new_owner is not None else None) != account.owner_id:
            raise owner_change_refused()
    if "parent" in fields:
        _check_parent_visible(actor, fields["parent"], current_parent_id=account.parent_id)
        _check_parent(account, fields["parent"])
    if "region" in fields:
        fields["region"] = region_clean(fields["region"], current=account.region)
    for name, value in fields.items():
        setattr(account, name, value)
    _apply_derived(account)
    _validate_account(account)
    account.save()
    entry = audit_changes(instance=account, before=before, actor=actor)
    if entry is not None:
        _emit_updated(account, entry.changes)
    return account


@transaction.atomic
def account_owner_set(*, account: Account, owner: User | None, actor: User | None,
                      last_activity_at: datetime | None = None) -> Account:
    """Write the owner (audited; the new owner joins the account team as owner).

    Not a way around the pool: only crm.pool's services (claim, return, assign, the nightly
    reclaim, ownership transfer, the demo seeder) call this, after applying the claim cap,
    the pool rules and writing the hand-over trail. Views and serializers never do."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    before = audit_snapshot(account, ACCOUNT_AUDITED_FIELDS)
    account.owner = owner
    update_fields = ["owner", "updated_at"]
    if last_activity_at is not None:
        account.last_activity_at = last_activity_at
        update_fields.append("last_activity_at")
    account.save(update_fields=update_fields)
    if account.owner_id is not None:
        AccountTeamMember.objects.update_or_create(
            account=account, user_id=account.owner_id, defaults={"role": AccountTeamRole.OWNER}
        )
    entry = audit_changes(instance=account, before=before, actor=actor)
    if entry is not None:
        _emit_updated(account, entry.changes)
    return account


@transaction.atomic
def account_move(*, account: Account, new_parent: Account | None, actor: User | None) -> Account:
    """Move ``account`` (with its whole branch) under ``new_parent``; None makes it a root."""
    _require_edit(actor)
    account = Account.objects.select_for_update().get(pk=account.pk)
    _check_parent_visible(actor, new_parent, current_parent_id=account.parent_id)
    _check_parent(account, new_parent)
    before = audit_snapshot(account, ["parent"])
    account.parent = new_parent
    account.save(update_fields=["parent", "updated_at"])
    entry = audit_changes(instance=account, before=before, actor=actor, action="move")
    if entry is not None:
        _emit_updated(account, entry.changes)
    return account


def account_touch_activity(*, account: Account, when: Any) -> None:
    """Record the time of the latest activity (crm.activities calls this; not audited)."""
    Account.objects.filter(pk=account.pk).filter(
        models.Q(last_activity_at__isnull=True) | models.Q(last_activity_at__lt=when)
    ).update(last_activity_at=when)


# --- contacts -------------------------------------------------------------------------

def _validate_contact(contact: Contact) -> None:
    errors: dict[str, str] = {}
    if contact.reports_to is not None:
        if contact.pk is not None and contact.reports_to_id == contact.pk:
            errors["reports_to"] = _("A contact cannot report to themselves.")
        elif contact.reports_to.account_id != contact.account_id:
            errors["reports_to"] = _("The manager must work at the same account.")
        elif contact.pk is not None:
            seen = {contact.pk}
            boss: Contact | None = contact.reports_to
            while boss is not None:
                if boss.pk in seen:
                    errors["reports_to"] = _("This would make a reporting loop.")
                    break
                seen.add(boss.pk)
                boss = boss.reports_to
    if contact.external_id is not None:
        contact.external_id = contact.external_id.strip() or None
    if contact.external_id and Contact.objects.filter(
            external_id=contact.external_id).exclude(pk=contact.pk).exists():
        errors["external_id"] = _("Another contact has this external id.")
    if errors:
        raise ValidationError(errors)
    contact.full_clean(exclude=["account", "reports_to", "covered_by"], validate_unique=False)


@transaction.atomic
def contact_create(*, actor: User | None, account: Account,
                   **fields: Unpack[ContactFields]) -> Contact:
    _require_edit(actor)
    _check_fields({"account": account, **fields}, CONTACT_FIELDS)
    contact = Contact(account=account, **fields)
    contact.email = (contact.email or "").strip().lower()
    _validate_contact(contact)
    contact.save()
    audit_event(instance=contact, action="create", actor=actor,
                data=audit_snapshot(contact, CONTACT_FIELDS))
    return contact


@transaction.atomic
def contact_update(*, contact: Contact, actor: User | None,
                   **fields: Unpack[ContactUpdateFields]) -> Contact:
    _require_edit(actor)
    _check_fields(fields, CONTACT_FIELDS)
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    before = audit_snapshot(contact, CONTACT_FIELDS)
    for name, value in fields.items():
        setattr(contact, name, value)
    contact.email = (contact.email or "").strip().lower()
    if ("account" in fields and "reports_to" not in fields and contact.reports_to is not None
            and contact.reports_to.account_id != contact.account_id):
        contact.reports_to = None
    _validate_contact(contact)
    contact.save()
    if "account" in fields and before["account"] != contact.account_id:
        # Whoever reported to this person at the old account no longer does.
        Contact.objects.filter(reports_to=contact).exclude(account_id=contact.account_id) \
            .update(reports_to=None)
    audit_changes(instance=contact, before=before, actor=actor)
    return contact


# --- account team ---------------------------------------------------------------------

@transaction.atomic
def account_team_add(*, account: Account, user: User, role: str, actor: User | None
                     ) -> AccountTeamMember:
    """Add ``user`` to the account's team (or change their role); they are told."""
    _require_edit(actor)
    if role not in AccountTeamRole.values:
        raise ValidationError({"role": _("Choose a valid role.")})
    if not can(user, Capability.USE_CRM):
        raise ValidationError({"user": _("Only staff users can join an account team.")})
    member, created = AccountTeamMember.objects.update_or_create(
        account=account, user=user, defaults={"role": role}
    )
    audit_event(instance=account, action="team_add", actor=actor,
                data={"user": user.pk, "role": role})
    if created:
        notify(recipients=[user], actor=actor, verb="account_team_added", target=account,
               message=_("You were added to the team of %(account)s.") % {"account": account},
               url=account_url(account))
    return member


@transaction.atomic
def account_team_remove(*, account: Account, user: User, actor: User | None) -> None:
    _require_edit(actor)
    if account.owner_id == user.pk:
        raise ValidationError({"user": _("The owner stays on the team; change the owner first.")})
    deleted, _rows = AccountTeamMember.objects.filter(account=account, user=user).delete()
    if deleted:
        audit_event(instance=account, action="team_remove", actor=actor, data={"user": user.pk})


def account_url(account: Account) -> str:
    from django.urls import reverse

    return reverse("crm_accounts:account_detail", args=[account.pk])


def account_team_notify(*, account: Account, actor: User | None, message: str, url: str = "",
                        verb: str = "account_activity", email: bool = False
                        ) -> list[Notification]:
    """Tell the account's team (and its owner) about something that happened on it, e.g.
    a new activity; the actor is never notified of their own action."""
    user_ids = set(AccountTeamMember.objects.filter(account=account).values_list("user_id",
                                                                                  flat=True))
    if account.owner_id is not None:
        user_ids.add(account.owner_id)
    recipients = User.objects.filter(pk__in=user_ids, is_active=True)
    return notify(recipients=recipients, actor=actor, verb=verb, message=message,
                  target=account, url=url or account_url(account), email=email)


# --- merge ----------------------------------------------------------------------------

def _reverse_relations() -> list[models.ForeignObjectRel]:
    """Every relation pointing at Account, hidden ones (related_name='+') included, so that
    models added later by other apps (quotes, orders, assets, service requests) move too."""
    return [
        rel for rel in Account._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ForeignObjectRel) and rel.auto_created and not rel.concrete
    ]


def _move_rows(model: type[models.Model], field_name: str, loser_ids: list[int],
               survivor: Account, conflicts: list[dict[str, Any]]) -> int:
    """Point ``model.field_name`` from the losers to the survivor. Rows that would break a
    unique constraint (the survivor already has the same thing) are deleted and listed in
    ``conflicts`` for the audit record."""
    rows = model._base_manager.filter(**{f"{field_name}__in": loser_ids})
    try:
        with transaction.atomic():
            return rows.update(**{field_name: survivor.pk})
    except IntegrityError:
        pass
    moved = 0
    for pk in list(rows.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                moved += model._base_manager.filter(pk=pk).update(**{field_name: survivor.pk})
        except IntegrityError:
            conflicts.append({"model": model._meta.label, "pk": pk})
            model._base_manager.filter(pk=pk).delete()
    return moved


def _move_generic_rows(loser_ids: list[int], survivor: Account) -> dict[str, int]:
    """Rows pointing at a loser through a GenericForeignKey (timelines, audit log...)."""
    account_type = ContentType.objects.get_for_model(Account)
    moved: dict[str, int] = {}
    for model in apps.get_models():
        for private in model._meta.private_fields:
            if not isinstance(private, GenericForeignKey):
                continue
            count = model._base_manager.filter(
                **{private.ct_field: account_type, f"{private.fk_field}__in": loser_ids}
            ).update(**{private.fk_field: survivor.pk})
            if count:
                moved[model._meta.label] = moved.get(model._meta.label, 0) + count
    # The audit log and notifications use plain (content_type, object_id) columns.
    for model in (apps.get_model("crm_core", "AuditEntry"), Notification):
        count = model._base_manager.filter(
            content_type=account_type, object_id__in=loser_ids
        ).update(object_id=survivor.pk)
        if count:
            moved[model._meta.label] = moved.get(model._meta.label, 0) + count
    return moved


def _account_data(account: Account) -> dict[str, Any]:
    data = audit_snapshot(account, [f.name for f in Account._meta.concrete_fields])
    data["contacts"] = list(account.contacts.values("id", "first_name", "last_name", "email"))
    data["team"] = list(account.team_members.values("user_id", "role"))
    return data


def _check_may_delete(actor: User | None, accounts: list[Account]) -> None:
    """Admins delete any account; managers those held by the users they manage, and pool
    accounts they can see (the caller resolved every account through the selectors)."""
    if actor is None:
        return
    managed = managed_user_ids(actor)
    if managed is None:
        return
    refused = [account.name for account in accounts
               if account.owner_id is not None and account.owner_id not in managed]
    if refused:
        raise PermissionDenied(_(
            "Merging deletes the other accounts; you may not delete %(names)s (held outside "
            "the teams you manage)."
        ) % {"names": ", ".join(refused)})


@transaction.atomic
def account_merge(*, survivor: Account, others: Iterable[Account],
                  field_choices: Mapping[str, int] | None = None, actor: User | None
                  ) -> Account:
    """Merge ``others`` into ``survivor``.

    ``field_choices`` maps a field name to the id of the account whose value survives (any
    of the merged accounts; fields not named keep the survivor's value). Every row of every
    model that points at a losing account moves to the survivor; the losers' data is kept in
    the survivor's audit log (action "merge"); the losers are deleted.
    """
    _require_edit(actor)
    if actor is not None and not can(actor, Capability.DELETE_RECORDS):
        raise PermissionDenied(_("Merging deletes the other accounts: you may not delete "
                                 "accounts."))
    field_choices = dict(field_choices or {})
    loser_ids = sorted({other.pk for other in others} - {None})
    if not loser_ids:
        raise ValidationError({"others": _("Choose at least one account to merge.")})
    if survivor.pk in loser_ids:
        raise ValidationError({"others": _("The surviving account cannot also be merged away.")})
    locked = {a.pk: a for a in Account.objects.select_for_update()
              .filter(pk__in=[survivor.pk, *loser_ids]).order_by("pk")}
    missing = [pk for pk in [survivor.pk, *loser_ids] if pk not in locked]
    if missing:
        raise ValidationError({"others": _("Some of these accounts no longer exist.")})
    survivor = locked[survivor.pk]
    losers = [locked[pk] for pk in loser_ids]
    _check_may_delete(actor, losers)
    unknown = sorted(set(field_choices) - set(ACCOUNT_MERGE_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be chosen.") for name in unknown})
    for name, source_id in field_choices.items():
        if int(source_id) not in locked:
            raise ValidationError({name: _("Choose one of the merged accounts.")})

    before = audit_snapshot(survivor, ACCOUNT_AUDITED_FIELDS)
    loser_data = [_account_data(loser) for loser in losers]
    chosen = {name: getattr(locked[int(source_id)], name)
              for name, source_id in field_choices.items()}

    # The survivor's new parent may not be a loser (they vanish), nor sit below one: when a
    # loser is an ancestor of the survivor, the survivor takes the topmost such loser's place.
    if "parent" in chosen:
        new_parent_id = chosen["parent"].pk if chosen["parent"] is not None else None
    else:
        ancestors = account_ancestor_ids(account_id=survivor.pk)[1:]
        loser_positions = [i for i, pk in enumerate(ancestors) if pk in locked]
        if loser_positions:
            top = max(loser_positions)
            new_parent_id = ancestors[top + 1] if top + 1 < len(ancestors) else None
        else:
            new_parent_id = survivor.parent_id
    while new_parent_id in locked and new_parent_id != survivor.pk:
        new_parent_id = locked[new_parent_id].parent_id
    if new_parent_id == survivor.pk:
        new_parent_id = None
    external_ids = {name: chosen.pop(name) for name in ["external_id"] if name in chosen}
    if external_ids.get("external_id"):
        # Free the unique external id on the loser before the survivor takes it.
        Account.objects.filter(pk__in=loser_ids).update(external_id=None)

    conflicts: list[dict[str, Any]] = []
    moved: dict[str, int] = {}
    # Team members first: a user on two merged teams keeps the survivor's role.
    survivor_team = set(survivor.team_members.values_list("user_id", flat=True))
    AccountTeamMember.objects.filter(account_id__in=loser_ids, user_id__in=survivor_team).delete()
    # The losers' owners stay on the team, as support: the survivor has one owner.
    AccountTeamMember.objects.filter(account_id__in=loser_ids, role=AccountTeamRole.OWNER) \
        .update(role=AccountTeamRole.SUPPORT)
    handled: set[tuple[str, str]] = set()
    for rel in _reverse_relations():
        model: type[models.Model]
        if isinstance(rel, models.ManyToManyRel):
            if rel.through is None or not isinstance(rel.field, models.ManyToManyField):
                continue  # set up by Django when apps load: cannot happen here
            model = rel.through
            field_name = rel.field.m2m_reverse_field_name()
        elif isinstance(rel.related_model, type):
            model, field_name = rel.related_model, rel.field.name
        else:  # an unresolved "app.Model" string: apps are loaded, so this cannot happen
            continue
        key = (model._meta.label, field_name)
        if key in handled:
            continue
        handled.add(key)
        if model is Account and field_name == "parent":
            count = Account.objects.filter(parent_id__in=loser_ids).exclude(
                pk__in=[survivor.pk, *loser_ids]).update(parent_id=survivor.pk)
        else:
            count = _move_rows(model, field_name, loser_ids, survivor, conflicts)
        if count:
            moved[f"{model._meta.label}.{field_name}"] = count
    moved.update(_move_generic_rows(loser_ids, survivor))

    for name, value in chosen.items():
        if name != "parent":
            setattr(survivor, name, value)
    survivor.parent_id = new_parent_id
    if external_ids:
        survivor.external_id = external_ids["external_id"]
    latest = [a.last_activity_at for a in [survivor, *losers] if a.last_activity_at]
    survivor.last_activity_at = max(latest) if latest else None
    _apply_derived(survivor)
    _validate_account(survivor)
    Account.objects.filter(pk__in=loser_ids).update(parent=None)
    Account.objects.filter(pk__in=loser_ids).delete()
    survivor.save()
    if survivor.parent_id is not None and survivor.pk in account_ancestor_ids(
            account_id=survivor.parent_id):
        raise ValidationError({"parent": _("The merge would create a cycle in the hierarchy.")})
    if survivor.owner_id is not None:
        AccountTeamMember.objects.update_or_create(
            account=survivor, user_id=survivor.owner_id, defaults={"role": AccountTeamRole.OWNER}
        )
    audit_event(
        instance=survivor, action="merge", actor=actor,
        changes={name: [before[name], value] for name, value in
                 audit_snapshot(survivor, ACCOUNT_AUDITED_FIELDS).items()
                 if before[name] != value},
        data={"merged": loser_data, "moved": moved, "conflicts": conflicts,
              "field_choices": field_choices},
    )
    return survivor


# --- aliases and settings --------------------------------------------------------------

def _require_settings(actor: User | None) -> None:
    if actor is not None and not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators change these settings."))


def accounts_renormalize(*, accounts: models.QuerySet[Account] | None = None,
                         batch_size: int = 2000) -> int:
    """Recompute name_normalized (after the alias table or the rules changed)."""
    aliases = alias_table()
    queryset = (accounts if accounts is not None else Account.objects.all()).only(
        "id", "name", "name_normalized")
    changed: list[Account] = []
    total = 0
    for account in queryset.iterator(chunk_size=batch_size):
        normalized = normalize_name(account.name, aliases)
        if normalized != account.name_normalized:
            account.name_normalized = normalized
            changed.append(account)
        if len(changed) >= batch_size:
            total += Account.objects.bulk_update(changed, ["name_normalized"])
            changed = []
    if changed:
        total += Account.objects.bulk_update(changed, ["name_normalized"])
    return total


def _accounts_mentioning(*texts: str) -> models.QuerySet[Account]:
    condition = models.Q()
    for text in texts:
        if text.strip():
            condition |= models.Q(name__icontains=text.strip())
    return Account.objects.filter(condition) if condition else Account.objects.none()


@transaction.atomic
def alias_create(*, actor: User | None, alias: str, canonical: str) -> NameAlias:
    """Add an abbreviation (工行 = 工商银行) and re-key the accounts it affects."""
    _require_settings(actor)
    alias, canonical = (alias or "").strip(), (canonical or "").strip()
    errors = {}
    if not alias:
        errors["alias"] = _("This field is required.")
    if not canonical:
        errors["canonical"] = _("This field is required.")
    if alias and canonical and normalize_name(alias) == normalize_name(canonical):
        errors["canonical"] = _("An alias must differ from what it stands for.")
    if alias and NameAlias.objects.filter(alias__iexact=alias).exists():
        errors["alias"] = _("This alias exists already.")
    if errors:
        raise ValidationError(errors)
    entry = NameAlias.objects.create(alias=alias, canonical=canonical)
    accounts_renormalize(accounts=_accounts_mentioning(alias))
    return entry


@transaction.atomic
def alias_delete(*, actor: User | None, alias: NameAlias) -> None:
    _require_settings(actor)
    text = alias.alias
    alias.delete()
    accounts_renormalize(accounts=_accounts_mentioning(text))


def aliases_seed_defaults() -> int:
    """Give the tenant the built-in alias set (idempotent; never overwrites an edit)."""
    from crm.accounts.normalize import DEFAULT_ALIASES

    existing = {a.lower() for a in NameAlias.objects.values_list("alias", flat=True)}
    new = [NameAlias(alias=alias, canonical=canonical)
           for alias, canonical in DEFAULT_ALIASES.items() if alias.lower() not in existing]
    NameAlias.objects.bulk_create(new, ignore_conflicts=True)
    if new and Account.objects.exists():
        accounts_renormalize()
    return len(new)


@transaction.atomic
def account_settings_update(*, actor: User | None, duplicate_threshold: float
                            ) -> AccountSettings:
    _require_settings(actor)
    row = AccountSettings.current()
    row.duplicate_threshold = duplicate_threshold
    row.full_clean()
    row.save()
    return row
