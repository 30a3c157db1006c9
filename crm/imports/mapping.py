"""Which file column fills which field: by the field's key, its English or Chinese header,
or the mapping the tenant confirmed last time for that kind."""

import re

from django.utils import translation

from crm.imports.kinds import Kind
from crm.imports.models import ImportMapping

# Spaces, "_", "-", "*" (required marks), colons, brackets and "%", half and full width.
_NOISE = re.compile("[\\s_\\-*\uff0a:\uff1a()\uff08\uff09%]+")


def normalize_header(header: str) -> str:
    return _NOISE.sub("", header.strip().lower())


def known_headers(kind: Kind) -> dict[str, str]:
    """normalised header -> field key, for every spelling a template or a person uses."""
    known: dict[str, str] = {}
    for column in kind.columns:
        spellings = {column.key, column.zh}
        for language in ("en", "zh-hans"):
            with translation.override(language):
                spellings.add(str(column.label))
        for spelling in spellings:
            known.setdefault(normalize_header(spelling), column.key)
    return known


def remembered(kind: Kind) -> dict[str, str]:
    row = ImportMapping.objects.filter(kind=kind.key).first()
    return dict(row.columns) if row is not None else {}


def suggest_mapping(kind: Kind, header: list[str]) -> dict[str, str]:
    """{file header: field key or ""} — remembered choices first, then known spellings."""
    memory = remembered(kind)
    known = known_headers(kind)
    valid = {c.key for c in kind.columns}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for name in header:
        if not name:
            continue
        norm = normalize_header(name)
        key = memory.get(norm)
        if key is None or key not in valid:
            key = known.get(norm, "")
        if key and key in used:
            key = ""
        mapping[name] = key
        if key:
            used.add(key)
    return mapping


def remember_mapping(kind: Kind, mapping: dict[str, str]) -> None:
    columns = {normalize_header(name): key for name, key in mapping.items() if name}
    row, created = ImportMapping.objects.get_or_create(kind=kind.key,
                                                       defaults={"columns": columns})
    if not created:
        row.columns = {**row.columns, **columns}
        row.save(update_fields=["columns", "updated_at"])


def missing_required(kind: Kind, mapping: dict[str, str]) -> list[str]:
    mapped = set(mapping.values())
    return [c.key for c in kind.columns if c.required and c.key not in mapped]
