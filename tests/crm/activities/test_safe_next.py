"""Activity pages send the user back to ``next`` only when it points to this host."""

import pytest

from crm.activities.models import ActivityKind
from crm.activities.services import activity_create


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/",
                                    "/\\evil.example/"])
def test_activity_complete_never_redirects_off_site(target, tenant_a, in_tenant,
                                                    tenant_client):
    with in_tenant(tenant_a):
        task = activity_create(actor=tenant_a.users["rep"], kind=ActivityKind.TASK,
                               subject="Redirect task")
    response = tenant_client(tenant_a, tenant_a.users["rep"]).post(
        f"/crm/activities/{task.pk}/complete/", {"next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/crm/activities/{task.pk}/"


def test_activity_complete_follows_a_local_next(tenant_a, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        task = activity_create(actor=tenant_a.users["rep"], kind=ActivityKind.TASK,
                               subject="Local redirect task")
    response = tenant_client(tenant_a, tenant_a.users["rep"]).post(
        f"/crm/activities/{task.pk}/complete/", {"next": "/crm/today/"})
    assert response["Location"] == "/crm/today/"
