"""Production settings: host-only cookies, only the request's own origin trusted for CSRF, and
entry points that fail closed when DJANGO_SETTINGS_MODULE is missing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from tenants.models import Domain

ROOT = Path(__file__).resolve().parents[2]
SECRET = "x" * 64 + "-production-like-secret-0123456789"
PRODUCTION_SETTINGS = ("SESSION_COOKIE_NAME", "CSRF_COOKIE_NAME", "SESSION_COOKIE_SECURE",
                       "CSRF_COOKIE_SECURE", "SESSION_COOKIE_PATH", "CSRF_COOKIE_PATH",
                       "SESSION_COOKIE_DOMAIN", "CSRF_COOKIE_DOMAIN", "CSRF_TRUSTED_ORIGINS",
                       "DEBUG")


def _run(args: list[str], **extra_env: str) -> subprocess.CompletedProcess:
    """A child process with a bare environment: no DJANGO_SETTINGS_MODULE unless given."""
    env = {"PATH": "/usr/bin:/bin", **extra_env}
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=False, timeout=120)


@pytest.fixture(scope="module")
def production() -> dict:
    code = ("import json, importlib; m = importlib.import_module('config.settings.production');"
            f"print(json.dumps({{k: getattr(m, k) for k in {PRODUCTION_SETTINGS!r}}}))")
    result = _run(["-c", code], SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_host_only_by_their_prefix(production):
    assert production["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert production["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    for cookie in ("SESSION", "CSRF"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True
        assert production[f"{cookie}_COOKIE_PATH"] == "/"
        assert production[f"{cookie}_COOKIE_DOMAIN"] is None


def test_production_trusts_no_wildcard_origin(production):
    assert not [origin for origin in production["CSRF_TRUSTED_ORIGINS"] if "*" in origin]


def _csrf_post(host: str, origin: str, production: dict):
    """A signed-out POST to a CSRF-protected view over HTTPS with a valid token pair, coming
    from ``origin``."""
    secret = "a" * 32
    client = Client(enforce_csrf_checks=True, HTTP_HOST=host)
    client.cookies[production["CSRF_COOKIE_NAME"]] = secret
    return client.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": secret},
                       secure=True, HTTP_ORIGIN=origin)


def test_csrf_post_from_a_sibling_tenant_origin_is_refused(tenant_a, tenant_b, production):
    with override_settings(**{key: production[key] for key in PRODUCTION_SETTINGS
                              if key != "DEBUG"}):
        forged = _csrf_post(tenant_a.host, f"https://{tenant_b.host}", production)
        assert forged.status_code == 403
        own = _csrf_post(tenant_a.host, f"https://{tenant_a.host}", production)
        assert own.status_code == 302


def test_csrf_post_on_a_custom_domain_needs_no_trusted_origin(tenant_a, tenant_b, production,
                                                              settings):
    with schema_context("public"):
        Domain.objects.create(domain="crm.alpha-custom.test", tenant=tenant_a.tenant,
                              is_primary=False)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "crm.alpha-custom.test"]
    with override_settings(**{key: production[key] for key in PRODUCTION_SETTINGS
                              if key != "DEBUG"}):
        own = _csrf_post("crm.alpha-custom.test", "https://crm.alpha-custom.test", production)
        assert own.status_code == 302
        forged = _csrf_post("crm.alpha-custom.test", f"https://{tenant_b.host}", production)
        assert forged.status_code == 403


def test_manage_py_without_settings_module_does_not_run_local_settings():
    """Forgetting DJANGO_SETTINGS_MODULE means production settings: without SECRET_KEY it
    refuses to start; with one it runs with DEBUG off, never the local settings."""
    refused = _run(["manage.py", "check"])
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr
    code = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
    shown = _run(["manage.py", "shell", "-c", code], SECRET_KEY=SECRET)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split()[-2:] == ["config.settings.production", "False"]


@pytest.mark.parametrize("module", ["config.wsgi", "config.celery"])
def test_wsgi_and_celery_without_settings_module_load_production(module):
    code = (f"import os, {module}; from django.conf import settings;"
            "print(os.environ['DJANGO_SETTINGS_MODULE'], settings.DEBUG)")
    result = _run(["-c", code], SECRET_KEY=SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-2:] == ["config.settings.production", "False"]
    assert _run(["-c", f"import {module}; from django.conf import settings; settings.DEBUG"]
                ).returncode != 0
