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
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env.list(
    "CSRF_TRUSTED_ORIGINS", default=[f"https://{PLATFORM_DOMAIN}", f"https://*.{PLATFORM_DOMAIN}"]
)
X_FRAME_OPTIONS = "DENY"
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", default=f"https://{PLATFORM_DOMAIN}")
