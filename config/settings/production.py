"""Production: HTTPS everywhere, secure cookies, secrets only from the environment."""

from .base import *  # noqa: F403
from .base import PLATFORM_DOMAIN, env

DEBUG = False
SECRET_KEY = env("SECRET_KEY")
PLATFORM_SCHEME = "https"
PLATFORM_PORT = ""
# Subdomains of the platform domain; custom domains are appended from the tenants'
# Domain rows by the deployment (ALLOWED_HOSTS env), and routing refuses unknown hosts anyway.
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Host-only cookies by construction: browsers accept a `__Host-` cookie only when it is Secure,
# has Path=/ and no Domain, so a sibling tenant's host (or its portal) cannot toss a session
# or CSRF cookie onto this one.
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_PATH = "/"
CSRF_COOKIE_PATH = "/"
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
# Only the request's own origin is trusted: Django's CSRF check accepts
# `https://<the request's host>` by itself (platform subdomains and custom domains alike),
# so no `https://*.<domain>` wildcard that would let one tenant's pages post to another's.
# Extra origins (e.g. a separate admin front end) may be named in the environment.
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
X_FRAME_OPTIONS = "DENY"
OPERATOR_REQUIRE_2FA = env.bool("OPERATOR_REQUIRE_2FA", default=True)
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"https://{PLATFORM_DOMAIN}")
