"""Visibility has one accessor per record type: the owner-scope primitives of
crm.core.visibility are used only by selectors (and visibility itself), team membership and
management are read only in crm.core.visibility, and ``next`` is read only through
crm.core.redirects.safe_next. These walk the source tree, so a new shortcut fails here."""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE_DIRS = ("crm", "tenants", "portal", "cms", "billing", "config")
SCOPE_PRIMITIVES = {"scope_by_owner", "owner_scope_for", "OwnerScope"}


def _modules() -> list[Path]:
    paths: list[Path] = []
    for folder in SOURCE_DIRS:
        base = ROOT / folder
        if base.exists():
            paths += [p for p in base.rglob("*.py") if "migrations" not in p.parts]
    return sorted(paths)


def _may_scope(path: Path) -> bool:
    """selectors.py, a selectors/ package, or a visibility.py module."""
    return path.name in {"selectors.py", "visibility.py"} or "selectors" in path.parts


def _names_used(tree: ast.AST) -> set[str]:
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            used |= {alias.name for alias in node.names}
        elif isinstance(node, ast.Name):
            used.add(node.id)
        elif isinstance(node, ast.Attribute):
            used.add(node.attr)
    return used


def test_the_tree_walk_finds_the_crm_selectors():
    """Guards the guard: the walk sees the modules it is meant to police."""
    names = {str(path.relative_to(ROOT)) for path in _modules()}
    assert "crm/accounts/selectors.py" in names
    assert "crm/sales/api.py" in names


def test_owner_scope_is_used_only_in_selectors_and_visibility():
    offenders = []
    for path in _modules():
        if _may_scope(path):
            continue
        used = _names_used(ast.parse(path.read_text(), filename=str(path))) & SCOPE_PRIMITIVES
        if used:
            offenders.append(f"{path.relative_to(ROOT)}: {', '.join(sorted(used))}")
    assert not offenders, (
        "Filter by owner through the app's selectors, not crm.core.visibility directly:\n"
        + "\n".join(offenders))


# Lookups on Team's members or manager, from either side (Team.objects.filter(manager=...),
# Q(team__manager=...), user.managed_teams, Team.members.through...).
TEAM_LOOKUP = re.compile(
    r"\bteam(s)?__(manager|members)\b|\bmanaged_teams\b|Team\.members\b"
    r"|Team\.objects\.filter\([^)]*\b(manager|members)\b"
)


def test_team_membership_and_management_are_read_only_in_visibility():
    allowed = {ROOT / "crm/core/visibility.py", ROOT / "crm/core/models.py"}
    offenders = []
    for path in _modules():
        if path in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if TEAM_LOOKUP.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, (
        "Ask crm.core.visibility (viewer_team_ids, managed_user_ids) instead:\n"
        + "\n".join(offenders))


NEXT_READ = re.compile(r"""(GET|POST|data|query_params)(\.get\(|\[)\s*["']next["']""")


def test_next_is_read_only_through_safe_next():
    allowed = {ROOT / "crm/core/redirects.py"}
    offenders = []
    for path in _modules():
        if path in allowed:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if NEXT_READ.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "Read next through crm.core.redirects.safe_next:\n" + "\n".join(
        offenders)
