from django.core.management import call_command

from tenants.checks import check_app_scopes


def test_app_scope_declarations_match_settings():
    assert check_app_scopes() == []


def test_app_in_the_wrong_schema_list_fails_the_check(settings):
    settings.SHARED_APPS = [app for app in settings.SHARED_APPS if "billing" not in app]
    settings.TENANT_APPS = [*settings.TENANT_APPS, "billing.apps.BillingConfig"]
    errors = check_app_scopes()
    assert [error.id for error in errors] == ["tenants.E002"]
    assert "billing" in errors[0].msg


def test_manage_check_passes():
    call_command("check")


def test_production_settings_pass_deploy_check(monkeypatch):
    import subprocess
    import sys

    env = {"DJANGO_SETTINGS_MODULE": "config.settings.production",
           "SECRET_KEY": "x" * 64 + "-production-like-secret-0123456789",
           "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
