"""Rules for a workspace's slug (its host name is ``<slug>.<PLATFORM_DOMAIN>``)."""

import re

from django.utils.translation import gettext as _

SLUG_MIN_LENGTH = 3
SLUG_MAX_LENGTH = 40
RESERVED_SLUGS = frozenset(
    {
        "www", "api", "admin", "static", "media", "public", "operator", "signup", "mail",
        "smtp", "imap", "pop", "ftp", "app", "apps", "help", "support", "status", "billing",
        "portal", "cms", "crm", "dashboard", "docs", "blog", "login", "logout", "auth",
        "account", "accounts", "assets", "cdn", "dev", "test", "staging", "demo-admin",
        "root", "system", "tpl-base", "template", "webhook", "webhooks", "stripe", "healthz",
    }
)
_ALLOWED = re.compile(r"^[a-z0-9-]+$")


def normalise_slug(raw: str) -> str:
    return (raw or "").strip().lower()


def slug_problems(slug: str, *, check_taken: bool = True) -> list[str]:
    """Every rule the slug breaks, each as a sentence the signer can act on."""
    problems: list[str] = []
    if not slug:
        return [_("Choose an address for your workspace.")]
    if len(slug) < SLUG_MIN_LENGTH:
        problems.append(_("Use at least %(n)d characters.") % {"n": SLUG_MIN_LENGTH})
    if len(slug) > SLUG_MAX_LENGTH:
        problems.append(_("Use at most %(n)d characters.") % {"n": SLUG_MAX_LENGTH})
    if not _ALLOWED.match(slug):
        problems.append(_("Use only lowercase letters (a-z), digits and hyphens."))
    elif slug.startswith("-") or slug.endswith("-"):
        problems.append(_("Start and end with a letter or a digit, not a hyphen."))
    elif "--" in slug:
        problems.append(_("Do not use two hyphens in a row."))
    if slug in RESERVED_SLUGS:
        problems.append(_("“%(slug)s” is reserved; choose another address.") % {"slug": slug})
    if not problems and check_taken:
        from tenants.models import Tenant

        if Tenant.objects.filter(slug=slug).exists():
            problems.append(_("“%(slug)s” is already taken.") % {"slug": slug})
    return problems


def schema_name_for(slug: str) -> str:
    return "t_" + slug.replace("-", "_")
