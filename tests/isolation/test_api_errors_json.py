"""Every error under /api/ answers JSON: unknown paths (any method), CSRF failures, 403,
404, 405 and 500."""

import json

import pytest
from django.test import Client, override_settings
from django.urls import path

from tenants.errors import csrf_failure


def _is_json(response) -> bool:
    return response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("url", ["/api/v1/nope/", "/api/v1/accounts/x/y/z/", "/api/nothing/",
                                 "/api/v2/accounts/"])
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_paths_answer_a_json_404_for_every_method(tenant_a, tenant_client, url,
                                                              method):
    client = tenant_client(tenant_a, tenant_a.users["admin"], enforce_csrf_checks=True)
    response = getattr(client, method)(url)
    assert response.status_code == 404
    assert _is_json(response)
    assert response.json()["code"] == "not_found"


def test_unknown_api_path_is_json_for_anonymous_callers_too(tenant_a):
    response = Client(HTTP_HOST=tenant_a.host).post("/api/v1/unknown/", {"a": 1})
    assert response.status_code == 404
    assert _is_json(response)


def test_csrf_failure_under_api_is_json_and_html_elsewhere(rf):
    api = csrf_failure(rf.post("/api/v1/accounts/"), reason="Origin checking failed")
    assert api.status_code == 403
    assert api["Content-Type"].startswith("application/json")
    assert json.loads(api.content)["code"] == "csrf_failed"
    page = csrf_failure(rf.post("/crm/accounts/new/"), reason="Origin checking failed")
    assert page.status_code == 403
    assert page["Content-Type"].startswith("text/html")


def test_a_session_post_without_csrf_token_is_a_json_403(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"], enforce_csrf_checks=True)
    response = client.post("/api/v1/accounts/", {"name": "No Token Ltd"},
                           content_type="application/json")
    assert response.status_code == 403
    assert _is_json(response)


def _method_not_allowed_view(request):
    from django.http import HttpResponseNotAllowed

    return HttpResponseNotAllowed(["GET"])


def _broken_view(request):
    raise RuntimeError("boom")


def _denied_view(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


urlpatterns = [
    path("api/test-405/", _method_not_allowed_view),
    path("api/test-500/", _broken_view),
    path("api/test-403/", _denied_view),
    path("crm/test-403/", _denied_view),
]
handler403 = "tenants.errors.permission_denied"
handler404 = "tenants.errors.not_found"
handler500 = "tenants.errors.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_non_drf_errors_under_api_are_json(tenant_a):
    client = Client(HTTP_HOST=tenant_a.host, raise_request_exception=False)
    not_allowed = client.post("/api/test-405/")
    assert (not_allowed.status_code, not_allowed["Allow"]) == (405, "GET")
    assert not_allowed.json()["code"] == "method_not_allowed"
    broken = client.get("/api/test-500/")
    assert broken.status_code == 500
    assert broken.json()["code"] == "server_error"
    denied = client.get("/api/test-403/")
    assert denied.status_code == 403
    assert denied.json()["code"] == "permission_denied"
    assert not client.get("/crm/test-403/")["Content-Type"].startswith("application/json")


def test_drf_405_is_json(tenant_a, tenant_client):
    client = tenant_client(tenant_a, tenant_a.users["admin"])
    response = client.delete("/api/v1/accounts/")
    assert response.status_code == 405
    assert _is_json(response)
