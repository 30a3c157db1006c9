"""Duplicate detection for accounts: while typing, on lead conversion, on import, and as a
report over existing data.

Signals, each scored 0..1, the candidate's score being the best one plus a small bonus for
every further signal:

    same normalised name ............ 1.00  (0.95 when only the alias table makes it equal)
    same phone (digits) ............. 0.90
    same e-mail domain / website .... 0.80
    one name contains the other ..... 0.50 .. 0.90 (by length ratio)
    trigram similarity (pg_trgm) .... the similarity itself

Candidates under the tenant's threshold (AccountSettings.duplicate_threshold) are dropped,
except exact, phone and domain matches, which always count. One SQL query finds the
candidates: btree indexes on name_normalized / phone_normalized / domain and the GIN trigram
index OR together in a bitmap scan. Without pg_trgm the trigram part falls back to prefix
and contains matching scored with difflib.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Count, F, Q, QuerySet

from crm.accounts.models import Account, AccountSettings, NameAlias
from crm.accounts.normalize import AliasTable, domain_of, normalize_name, normalize_phone
from tenants.users.models import User

SCORE_SAME_NAME = 1.0
SCORE_ALIAS = 0.95
SCORE_PHONE = 0.9
SCORE_DOMAIN = 0.8
BONUS_PER_EXTRA_SIGNAL = 0.05
DEFAULT_THRESHOLD = 0.4
MIN_PHONE_DIGITS = 7

_trgm_available: dict[str, bool] = {}


@dataclass
class DuplicateCandidate:
    """What anyone may learn about a likely duplicate: id, name, owner's name, score (and
    which signals matched). ``visible`` says whether the viewer may open the account."""

    id: int
    name: str
    owner_name: str
    score: float
    reasons: list[str] = field(default_factory=list)
    visible: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"id": self.id, "name": self.name, "owner": self.owner_name,
                "score": round(self.score, 3), "reasons": self.reasons, "visible": self.visible}


def alias_table() -> AliasTable:
    """The tenant's aliases, compiled (one small query)."""
    return AliasTable(dict(NameAlias.objects.values_list("alias", "canonical")))


def duplicate_threshold() -> float:
    row = AccountSettings.objects.filter(pk=1).values_list("duplicate_threshold", flat=True)
    return float(row[0]) if row else DEFAULT_THRESHOLD


def trigram_available() -> bool:
    """Whether pg_trgm is installed in this database (checked once per process)."""
    key = connection.settings_dict["NAME"]
    if key not in _trgm_available:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
            _trgm_available[key] = cursor.fetchone() is not None
    return _trgm_available[key]


MAX_FUZZY_SCORE = 0.89


def _contains_score(query: str, candidate: str) -> float:
    if not query or not candidate or len(min(query, candidate, key=len)) < 2:
        return 0.0
    shorter, longer = sorted((query, candidate), key=len)
    if shorter not in longer:
        return 0.0
    return 0.5 + 0.4 * (len(shorter) / len(longer))


def find_duplicates(
    *, viewer: User | None, name: str, phone: str = "", email: str = "", website: str = "",
    exclude_id: int | None = None, limit: int = 10, threshold: float | None = None,
    aliases: AliasTable | None = None,
) -> list[DuplicateCandidate]:
    """Likely duplicates of the described company among all of the tenant's accounts."""
    aliases = aliases if aliases is not None else alias_table()
    threshold = duplicate_threshold() if threshold is None else threshold
    norm = normalize_name(name, aliases) if name and name.strip() else ""
    digits = normalize_phone(phone)
    digits = digits if len(digits) >= MIN_PHONE_DIGITS else ""
    domains = {d for d in (domain_of(website), domain_of(email)) if d}
    if not (norm or digits or domains):
        return []

    condition = Q()
    if norm:
        condition |= Q(name_normalized=norm)
    if digits:
        condition |= Q(phone_normalized=digits)
    if domains:
        condition |= Q(domain__in=domains)
    use_trgm = bool(norm) and trigram_available()
    queryset: QuerySet[Account] = Account.objects.all()
    if use_trgm:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.similarity_threshold', %s, false)",
                [str(max(0.05, min(threshold, 1.0)))],
            )
        condition |= Q(name_normalized__trigram_similar=norm)
        if len(norm) >= 3:  # the trigram index serves LIKE '%...%' from three characters
            condition |= Q(name_normalized__contains=norm)
        queryset = queryset.annotate(similarity=TrigramSimilarity("name_normalized", norm))
        order = [F("similarity").desc(nulls_last=True), "pk"]
    elif norm:
        condition |= Q(name_normalized__startswith=norm[:2]) | Q(name_normalized__contains=norm)
        order = ["pk"]
    else:
        order = ["pk"]
    if exclude_id is not None:
        queryset = queryset.exclude(pk=exclude_id)
    rows = list(
        queryset.filter(condition).select_related("owner")
        .only("id", "name", "name_normalized", "phone_normalized", "domain", "owner_id",
              "owner__first_name", "owner__last_name", "owner__email")
        .order_by(*order)[: max(limit * 5, 50)]
    )

    plain_query = normalize_name(name) if norm else ""
    candidates: list[DuplicateCandidate] = []
    for row in rows:
        signals: list[tuple[str, float]] = []
        if norm and row.name_normalized == norm:
            same_plain = normalize_name(row.name) == plain_query
            signals.append(("same_name", SCORE_SAME_NAME) if same_plain
                           else ("alias", SCORE_ALIAS))
        if digits and row.phone_normalized == digits:
            signals.append(("phone", SCORE_PHONE))
        if domains and row.domain in domains:
            signals.append(("domain", SCORE_DOMAIN))
        if norm and row.name_normalized != norm:
            contains = _contains_score(norm, row.name_normalized)
            if contains:
                signals.append(("contains", contains))
            similarity = getattr(row, "similarity", None)
            if similarity is None:
                similarity = difflib.SequenceMatcher(None, norm, row.name_normalized).ratio()
            if similarity >= threshold:
                signals.append(("similar_name", float(similarity)))
        if not signals:
            continue
        best = max(score for _, score in signals)
        strong = any(reason in {"same_name", "alias", "phone", "domain"} for reason, _ in signals)
        if best < threshold and not strong:
            continue
        score = min(1.0, best + BONUS_PER_EXTRA_SIGNAL * (len(signals) - 1))
        if not strong:
            # A name that only looks alike never scores like an identical one (lead
            # conversion blocks at 0.9), whichever similarity measure produced it.
            score = min(score, MAX_FUZZY_SCORE)
        candidates.append(DuplicateCandidate(
            id=row.pk, name=row.name, score=score,
            owner_name=row.owner.display_name if row.owner else "",
            reasons=[reason for reason, _ in sorted(signals, key=lambda s: -s[1])],
        ))
    candidates.sort(key=lambda c: (-c.score, c.name, c.id))
    candidates = candidates[:limit]
    if candidates and viewer is not None:
        from crm.accounts.selectors import account_visible_queryset

        visible = set(
            account_visible_queryset(viewer=viewer)
            .filter(pk__in=[c.id for c in candidates]).values_list("pk", flat=True)
        )
        for candidate in candidates:
            candidate.visible = candidate.id in visible
    return candidates


@dataclass
class DuplicateGroup:
    reason: str
    key: str
    accounts: list[Account]


def duplicate_groups(*, viewer: User, limit: int = 100) -> list[DuplicateGroup]:
    """Groups of existing visible accounts sharing a normalised name, phone or web domain
    (the duplicates report). Visibility: only accounts ``viewer`` may see are grouped."""
    from crm.accounts.selectors import account_visible_queryset

    visible = account_visible_queryset(viewer=viewer)
    groups: list[DuplicateGroup] = []
    for reason, field_name in (("same_name", "name_normalized"), ("phone", "phone_normalized"),
                               ("domain", "domain")):
        keys = list(
            visible.exclude(**{field_name: ""}).values(field_name)
            .annotate(n=Count("id")).filter(n__gt=1).order_by("-n", field_name)
            .values_list(field_name, flat=True)[:limit]
        )
        if not keys:
            continue
        members: dict[str, list[Account]] = {key: [] for key in keys}
        for account in (visible.filter(**{f"{field_name}__in": keys})
                        .select_related("owner").order_by("created_at", "pk")):
            members[getattr(account, field_name)].append(account)
        groups.extend(DuplicateGroup(reason=reason, key=key, accounts=members[key])
                      for key in keys)
    return groups[:limit]
