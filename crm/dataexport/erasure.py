"""Erasure of a person on request (GDPR art. 17, PIPL art. 47): a contact, a lead or a
portal member's personal data removed or replaced by a stable pseudonym everywhere the
tenant's schema holds it, while business records (accounts, opportunities, amounts,
activities as events) stay for statistics.

What happens, in one transaction:
1. The person's records are gathered: the record asked for, the contacts and leads it was
   converted from or into, any contact or lead with the same e-mail address, and the portal
   member signing in with it.
2. Their personal fields are cleared or pseudonymised ("Erased person #3fa9c01b2e"); the
   portal member is deactivated, renamed and can no longer sign in.
3. Their field history (AuditEntry changes and snapshots) loses the personal fields' values.
4. Every other text, JSON, text-array and tsvector column of every table of the schema is
   swept for the person's e-mail addresses, full names and phone numbers (current and
   historical values), which are replaced by the pseudonym: activity subjects and notes,
   notifications, other records' audit data, Wagtail form submissions, search index rows.
   Name columns of other people's rows are left out of the sweep: a namesake keeps their
   name. Single-word Latin names are not swept (too likely to be someone else's).
5. Files attached to the person (a file field on a row that points at them) are deleted.
6. Existing data exports are deleted: they hold what was just erased.
7. The erasure is audited with the record's kind and id only (the reason is kept with the
   person's identifiers taken out).

The sweep reads every row of every table once (one UPDATE per table); on tenants with
millions of rows it takes a while, which is acceptable for a rare, admin-only action.
"""

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from crm.accounts.models import Contact
from crm.core.audit import audit_event
from crm.core.models import AuditEntry
from crm.dataexport.services import exports_discard_all
from crm.leads.models import Lead
from tenants.users.models import User, UserKind
from tenants.users.permissions import Capability, can

ERASED = "[erased]"
PERSONAL_FIELDS: dict[str, tuple[str, ...]] = {
    "contact": ("first_name", "last_name", "title", "phone", "mobile", "email"),
    "lead": ("first_name", "last_name", "title", "phone", "email", "message"),
    "member": ("first_name", "last_name", "email", "phone"),
}
# Other people's own name and login columns: handled per subject, never swept.
SWEEP_EXCLUDED_COLUMNS = frozenset({
    ("crm_accounts_contact", "first_name"), ("crm_accounts_contact", "last_name"),
    ("crm_leads_lead", "first_name"), ("crm_leads_lead", "last_name"),
    ("users_user", "first_name"), ("users_user", "last_name"), ("users_user", "email"),
    ("users_user", "password"),
})
_TEXT_TYPES = ("text", "character varying", "character")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]")


@dataclass(frozen=True)
class Term:
    """One identifier to remove and what replaces it."""

    text: str
    replacement: str


@dataclass
class ErasureResult:
    kind: str
    record_id: int
    pseudonym: str
    contacts: list[int] = field(default_factory=list)
    leads: list[int] = field(default_factory=list)
    members: list[int] = field(default_factory=list)
    rows_swept: int = 0
    files_deleted: int = 0
    exports_discarded: int = 0


@dataclass
class _Subjects:
    contacts: dict[int, Contact] = field(default_factory=dict)
    leads: dict[int, Lead] = field(default_factory=dict)
    members: dict[int, User] = field(default_factory=dict)

    def emails(self) -> set[str]:
        found = {c.email for c in self.contacts.values()} | {x.email for x in self.leads.values()}
        found |= {m.email for m in self.members.values()}
        return {email.strip().lower() for email in found if email and "@" in email}


def person_pseudonym(*, kind: str, record_id: int) -> str:
    """Stable for the record, meaningless without the server's secret."""
    message = f"{connection.schema_name}:{kind}:{record_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"Erased person #{digest[:10]}"


def person_erase(
    *, actor: User, contact: Contact | None = None, lead: Lead | None = None,
    member: User | None = None, reason: str,
) -> ErasureResult:
    """Erase one person's personal data from the current tenant (see the module docstring).
    Admins only; exactly one of ``contact``, ``lead`` or ``member``; a reason is required."""
    if not can(actor, Capability.MANAGE_SETTINGS):
        raise PermissionDenied(_("Only administrators may erase a person's data."))
    given = [(k, r) for k, r in (("contact", contact), ("lead", lead), ("member", member))
             if r is not None]
    if len(given) != 1:
        raise ValueError("Pass exactly one of contact, lead or member.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this person's data is erased.")})
    kind, record = given[0]
    if kind == "member" and getattr(record, "kind", None) != UserKind.MEMBER:
        raise ValidationError(_("Only portal members can be erased this way, not staff."))
    if connection.schema_name == settings.PUBLIC_SCHEMA_NAME:
        raise ValueError("Erasure runs in a tenant's schema.")

    with transaction.atomic():
        subjects = _gather(kind, record)
        pseudonym = person_pseudonym(kind=kind, record_id=record.pk)
        digest = pseudonym.rsplit("#", 1)[-1]
        erased_email = f"erased-{digest}@erased.invalid"
        terms = _terms(subjects, pseudonym=pseudonym, erased_email=erased_email)
        result = ErasureResult(
            kind=kind, record_id=record.pk, pseudonym=pseudonym,
            contacts=sorted(subjects.contacts), leads=sorted(subjects.leads),
            members=sorted(subjects.members),
        )
        _scrub_history(subjects)
        _anonymise_records(subjects, pseudonym=pseudonym, erased_email=erased_email)
        result.files_deleted = _delete_attached_files(subjects)
        result.rows_swept = _sweep_schema(terms)
        result.exports_discarded = exports_discard_all()
        audit_event(instance=record, action="erasure.completed", actor=actor, data={
            "kind": kind, "id": record.pk, "reason": scrub_text(reason, terms),
            "records": len(subjects.contacts) + len(subjects.leads) + len(subjects.members),
        })
    return result


# --- who the person is ------------------------------------------------------------------

def _gather(kind: str, record: models.Model) -> _Subjects:
    subjects = _Subjects()
    if kind == "contact":
        subjects.contacts[record.pk] = record  # type: ignore[assignment]
    elif kind == "lead":
        subjects.leads[record.pk] = record  # type: ignore[assignment]
    else:
        subjects.members[record.pk] = record  # type: ignore[assignment]
    # Conversions link a lead and the contact made from it: the same person.
    for lead in Lead.objects.filter(converted_contact_id__in=list(subjects.contacts)):
        subjects.leads[lead.pk] = lead
    contact_ids = [x.converted_contact_id for x in subjects.leads.values()
                   if x.converted_contact_id]
    for contact in Contact.objects.filter(pk__in=contact_ids):
        subjects.contacts[contact.pk] = contact
    # An e-mail address names one person: their other records and their portal login.
    emails = subjects.emails()
    if emails:
        by_email = Q()
        for email in emails:
            by_email |= Q(email__iexact=email)
        for contact in Contact.objects.filter(by_email):
            subjects.contacts[contact.pk] = contact
        for lead in Lead.objects.filter(by_email):
            subjects.leads[lead.pk] = lead
        for user in User.objects.filter(by_email, kind=UserKind.MEMBER):
            subjects.members[user.pk] = user
    return subjects


def _history(model: type[models.Model], ids: list[int]) -> models.QuerySet[AuditEntry]:
    if not ids:
        return AuditEntry.objects.none()
    content_type = ContentType.objects.get_for_model(model)
    return AuditEntry.objects.filter(content_type=content_type, object_id__in=ids)


def _historic_values(model: type[models.Model], ids: list[int], fields: tuple[str, ...]
                     ) -> dict[str, set[str]]:
    """Every value the personal fields ever had, from the records' field history."""
    values: dict[str, set[str]] = {name: set() for name in fields}
    for entry in _history(model, ids):
        for name in fields:
            pair = entry.changes.get(name)
            if isinstance(pair, list):
                values[name].update(str(v) for v in pair if v)
            if entry.data.get(name):
                values[name].add(str(entry.data[name]))
    return values


def _terms(subjects: _Subjects, *, pseudonym: str, erased_email: str) -> list[Term]:
    names: set[str] = set()
    emails: set[str] = set(subjects.emails())
    phones: set[str] = set()
    people: list[tuple[str, type[models.Model], list[int], list[models.Model]]] = [
        ("contact", Contact, list(subjects.contacts), list(subjects.contacts.values())),
        ("lead", Lead, list(subjects.leads), list(subjects.leads.values())),
        ("member", User, list(subjects.members), list(subjects.members.values())),
    ]
    for kind, model, ids, rows in people:
        history = _historic_values(model, ids, PERSONAL_FIELDS[kind])
        firsts = {getattr(r, "first_name", "") for r in rows} | history.get("first_name", set())
        lasts = {getattr(r, "last_name", "") for r in rows} | history.get("last_name", set())
        for row in rows:
            names |= _name_variants(row.first_name, row.last_name)  # type: ignore[attr-defined]
        # Historic names: each first with each last (a rename changes one of them).
        for first in firsts:
            for last in lasts:
                names |= _name_variants(first, last)
        emails |= {e.strip().lower() for e in history.get("email", set()) if "@" in e}
        for name in ("phone", "mobile"):
            phones |= {str(getattr(r, name, "") or "") for r in rows} | history.get(name, set())
    terms = [Term(email, erased_email) for email in emails if len(email) >= 3]
    terms += [Term(name, pseudonym) for name in names if _sweepable_name(name)]
    for phone in phones:
        phone = phone.strip()
        digits = re.sub(r"\D", "", phone)
        if len(digits) >= 6:
            terms.append(Term(phone, ERASED))
            if len(digits) >= 7 and digits != phone:
                terms.append(Term(digits, ERASED))
    unique = {term.text.lower(): term for term in terms}
    # Longer identifiers first, so "Ann Lee-Smith" is not half-replaced by "Ann Lee".
    return sorted(unique.values(), key=lambda term: (-len(term.text), term.text))


def _name_variants(first: str, last: str) -> set[str]:
    first, last = (first or "").strip(), (last or "").strip()
    variants = {f"{first} {last}".strip(), f"{last} {first}".strip()}
    if not (first.isascii() and last.isascii()):
        variants.add(f"{last}{first}")  # 王伟: family name first, no space
    return {v for v in variants if v}


def _sweepable_name(name: str) -> bool:
    if name.startswith("Erased person #"):
        return False
    if not name.isascii():
        return len(name) >= 2
    return " " in name and len(name) >= 5


# --- the person's own records -----------------------------------------------------------

def _scrub_history(subjects: _Subjects) -> None:
    """Field history of the person's records keeps what changed, not the values."""
    for kind, model, ids in (("contact", Contact, list(subjects.contacts)),
                             ("lead", Lead, list(subjects.leads)),
                             ("member", User, list(subjects.members))):
        fields = PERSONAL_FIELDS[kind]
        for entry in _history(model, ids):
            changes = {k: ([ERASED, ERASED] if k in fields else v)
                       for k, v in entry.changes.items()}
            data = {k: (ERASED if k in fields and v else v) for k, v in entry.data.items()}
            if changes != entry.changes or data != entry.data:
                AuditEntry.objects.filter(pk=entry.pk).update(changes=changes, data=data)


def _anonymise_records(subjects: _Subjects, *, pseudonym: str, erased_email: str) -> None:
    if subjects.contacts:
        Contact.objects.filter(pk__in=list(subjects.contacts)).update(
            first_name="", last_name=pseudonym, title="", phone="", mobile="", email="",
        )
    if subjects.leads:
        Lead.objects.filter(pk__in=list(subjects.leads)).update(
            first_name="", last_name=pseudonym, title="", phone="", email="", message="",
        )
    for index, member in enumerate(subjects.members.values()):
        member.first_name = ""
        member.last_name = pseudonym
        member.phone = ""
        # Unique per user; the first keeps the erasure's own address.
        local, _at, domain = erased_email.partition("@")
        member.email = erased_email if index == 0 else f"{local}-{member.pk}@{domain}"
        member.is_active = False
        member.set_unusable_password()
        member.save(update_fields=["first_name", "last_name", "phone", "email", "is_active",
                                   "password"])


def _tenant_models() -> list[type[models.Model]]:
    """Models whose tables live in tenant schemas (public-only tables are never touched)."""
    listed = set(settings.TENANT_APPS)
    found = []
    for config in apps.get_app_configs():
        dotted = f"{type(config).__module__}.{type(config).__name__}"
        if config.name in listed or dotted in listed:
            found.extend(config.get_models())
    return found


def _generic_pairs(model: type[models.Model]) -> list[tuple[str, str]]:
    """(content type field, object id field) of the model's generic relations: declared
    GenericForeignKeys, or the plain ``content_type`` + ``object_id`` pair (Attachment)."""
    pairs = [(f.ct_field, f.fk_field) for f in model._meta.private_fields
             if isinstance(f, GenericForeignKey)]
    names = {f.name: f for f in model._meta.get_fields()}
    content_type = names.get("content_type")
    if (not pairs and "object_id" in names and isinstance(content_type, models.ForeignKey)
            and content_type.related_model is ContentType):
        pairs.append(("content_type", "object_id"))
    return pairs


def _delete_attached_files(subjects: _Subjects) -> int:
    """Delete files on rows that point at the person (a foreign key to their contact, lead
    or member user, or a generic relation to their contact or lead); the rows stay."""
    targets: dict[type[models.Model], list[int]] = {
        Contact: list(subjects.contacts), Lead: list(subjects.leads),
        User: list(subjects.members),
    }
    to_delete: list[tuple[object, str]] = []
    for model in _tenant_models():
        file_fields = [f for f in model._meta.get_fields() if isinstance(f, models.FileField)]
        if not file_fields:
            continue
        condition = Q()
        for relation in model._meta.get_fields():
            if isinstance(relation, models.ForeignKey) and targets.get(relation.related_model):
                condition |= Q(**{f"{relation.name}__in": targets[relation.related_model]})
        for ct_field, fk_field in _generic_pairs(model):
            for target, ids in targets.items():
                if target is User or not ids:
                    continue
                content_type = ContentType.objects.get_for_model(target)
                condition |= Q(**{ct_field: content_type, f"{fk_field}__in": ids})
        if not condition:
            continue
        for row in model._default_manager.filter(condition):
            cleared = []
            for file_field in file_fields:
                value = getattr(row, file_field.attname)
                if value:
                    to_delete.append((value.storage, value.name))
                    cleared.append(file_field.attname)
            if cleared:
                model._default_manager.filter(pk=row.pk).update(**dict.fromkeys(cleared, ""))
    schema_name = connection.schema_name

    def delete_files() -> None:
        with schema_context(schema_name):  # tenant storages resolve paths by schema
            for storage, name in to_delete:
                storage.delete(name)  # type: ignore[attr-defined]

    if to_delete:
        transaction.on_commit(delete_files)
    return len(to_delete)


# --- the sweep --------------------------------------------------------------------------

def _pg_escape(text: str) -> str:
    """A literal for a PostgreSQL ARE: every ASCII punctuation character backslashed."""
    return "".join(f"\\{ch}" if ch.isascii() and not ch.isalnum() and ch != " " else ch
                   for ch in text)


def _pattern(text: str) -> str:
    """The term as a whole word where it starts or ends with a Latin letter or digit (so
    "Ann Lee" does not match inside "Joann Leeds"); CJK names match anywhere."""
    left = "(?<![A-Za-z0-9_])" if _ASCII_WORD.match(text[0]) else ""
    right = "(?![A-Za-z0-9_])" if _ASCII_WORD.match(text[-1]) else ""
    return f"{left}{_pg_escape(text)}{right}"


def _json_text(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)[1:-1]


def scrub_text(text: str, terms: list[Term]) -> str:
    """The same replacement in Python (for the audit entry's reason)."""
    for term in terms:
        text = re.sub(re.escape(term.text), term.replacement, text, flags=re.IGNORECASE)
    return text


def _sweep_schema(terms: list[Term]) -> int:
    if not terms:
        return 0
    schema_name = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, c.column_name, c.data_type, c.udt_name, "
            "c.character_maximum_length "
            "FROM information_schema.columns c JOIN information_schema.tables t "
            "ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = %s AND t.table_type = 'BASE TABLE' "
            "AND c.is_generated = 'NEVER' "
            "AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb', "
            "'tsvector') OR (c.data_type = 'ARRAY' AND c.udt_name IN ('_text', '_varchar'))) "
            "ORDER BY c.table_name, c.ordinal_position",
            [schema_name],
        )
        columns = cursor.fetchall()
    by_table: dict[str, list[tuple[str, str, str, int | None]]] = {}
    for table, column, data_type, udt_name, max_length in columns:
        if (table, column) in SWEEP_EXCLUDED_COLUMNS:
            continue
        by_table.setdefault(table, []).append((column, data_type, udt_name, max_length))
    swept = 0
    with connection.cursor() as cursor:
        for table, table_columns in by_table.items():
            statement, params = _sweep_statement(schema_name, table, table_columns, terms)
            cursor.execute(statement, params)
            swept += max(cursor.rowcount, 0)
    return swept


def _replace_chain(expression: str, terms: list[Term], *, as_json: bool) -> tuple[str, list]:
    params: list[object] = []
    for term in terms:
        text = _json_text(term.text) if as_json else term.text
        expression = f"regexp_replace({expression}, %s, %s, 'gi')"
        params += [_pattern(text), term.replacement]
    return expression, params


def _sweep_statement(schema_name: str, table: str,
                     table_columns: list[tuple[str, str, str, int | None]], terms: list[Term]
                     ) -> tuple[str, list[object]]:
    quote = connection.ops.quote_name
    plain = "|".join(f"(?:{_pattern(t.text)})" for t in terms)
    in_json = "|".join(f"(?:{_pattern(_json_text(t.text))})" for t in terms)
    assignments: list[str] = []
    assignment_params: list[object] = []
    matches: list[str] = []
    match_params: list[object] = []
    for column, data_type, udt_name, max_length in table_columns:
        col = quote(column)
        if data_type in _TEXT_TYPES:
            expression, params = _replace_chain(col, terms, as_json=False)
            if max_length:
                expression = f"left({expression}, {int(max_length)})"
            assignments.append(f"{col} = {expression}")
            assignment_params += params
            matches.append(f"{col} ~* %s")
            match_params.append(plain)
        elif data_type in ("json", "jsonb"):
            expression, params = _replace_chain(f"{col}::text", terms, as_json=True)
            assignments.append(f"{col} = ({expression})::{data_type}")
            assignment_params += params
            matches.append(f"{col}::text ~* %s")
            match_params.append(in_json)
        elif data_type == "ARRAY":
            element, params = _replace_chain("element", terms, as_json=False)
            element_type = "varchar" if udt_name == "_varchar" else "text"
            # Identifiers come quoted from information_schema; values travel as parameters.
            rebuilt = ("ARRAY(SELECT " + element + f" FROM unnest({col}) WITH ORDINALITY "  # noqa: S608
                       f"AS item(element, position) ORDER BY position)::{element_type}[]")
            assignments.append(f"{col} = CASE WHEN {col} IS NULL THEN NULL ELSE {rebuilt} END")
            assignment_params += params
            matches.append(f"array_to_string({col}, ' ') ~* %s")
            match_params.append(plain)
        elif data_type == "tsvector":
            lexemes = " || ".join(
                "tsvector_to_array(to_tsvector('simple', %s)) || tsvector_to_array(to_tsvector(%s))"
                for _term in terms
            )
            query = " || ".join(
                "phraseto_tsquery('simple', %s) || phraseto_tsquery(%s)" for _term in terms
            )
            assignments.append(
                f"{col} = CASE WHEN {col} @@ ({query}) THEN ts_delete({col}, {lexemes}) "
                f"ELSE {col} END"
            )
            assignment_params += [t.text for t in terms for _ in range(2)] * 2
            matches.append(f"{col} @@ ({query})")
            match_params += [t.text for t in terms for _ in range(2)]
    table_name = f"{quote(schema_name)}.{quote(table)}"
    statement = (f"UPDATE {table_name} SET {', '.join(assignments)} "  # noqa: S608
                 f"WHERE {' OR '.join(matches)}")
    return statement, assignment_params + match_params
