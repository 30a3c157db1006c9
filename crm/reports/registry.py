"""The report registry: ``@register_report`` adds a builder; pages, the API and the
downloads look reports up here by slug. Who may open a report: its ``roles`` (user roles
from tenants.users.models.Role) — each builder still narrows the data to what the viewer may
see through the record types' selectors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.http import Http404
from django.utils.functional import Promise

from crm.reports.types import Report, ReportFilters
from tenants.users.models import User, UserKind

Builder = Callable[[User, ReportFilters], Report]


@dataclass(frozen=True)
class ReportSpec:
    slug: str
    title: str | Promise  # a lazy translation
    description: str | Promise
    roles: frozenset[str]
    builder: Builder
    order: int = 100


REPORTS: dict[str, ReportSpec] = {}


def register_report(slug: str, *, title: str | Promise, description: str | Promise,
                    roles: set[str] | frozenset[str],
                    order: int = 100) -> Callable[[Builder], Builder]:
    def decorate(builder: Builder) -> Builder:
        if slug in REPORTS and REPORTS[slug].builder is not builder:
            raise ValueError(f"Report {slug!r} is registered twice")
        REPORTS[slug] = ReportSpec(slug=slug, title=title, description=description,
                                   roles=frozenset(roles), builder=builder, order=order)
        return builder
    return decorate


def may_open(user: User, spec: ReportSpec) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.is_active \
        and getattr(user, "kind", None) == UserKind.STAFF and user.role in spec.roles


def reports_for(user: User) -> list[ReportSpec]:
    return sorted((spec for spec in REPORTS.values() if may_open(user, spec)),
                  key=lambda spec: (spec.order, spec.slug))


def report_spec_get(user: User, slug: str) -> ReportSpec:
    """The report ``slug`` if ``user`` may open it; Http404 otherwise (unknown and
    forbidden alike, so the list of reports does not leak)."""
    spec = REPORTS.get(slug)
    if spec is None or not may_open(user, spec):
        raise Http404
    return spec
