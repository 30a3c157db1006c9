"""The service demo data: assets from delivered orders with components, requests in every
status (some breached), and a queue for the demo agent."""

from crm.service.demo import QUEUE_NAME
from crm.service.models import Asset, AssetStatus, RequestStatus, ServiceQueue, ServiceRequest
from tenants.demo import registered_seeders
from tenants.users.models import User


def test_the_demo_has_assets_requests_in_every_status_and_an_agent_queue(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        User.objects.filter(pk=tenant_a.users["agent"].pk).update(email="agent@demo.test")
        User.objects.filter(pk=tenant_a.users["admin"].pk).update(email="admin@demo.test")
        for seeder in registered_seeders():
            seeder.run()
        queue = ServiceQueue.objects.get(name=QUEUE_NAME)
        assert queue.agents.filter(email="agent@demo.test").exists()
        assert Asset.objects.filter(order_line__isnull=False, components__isnull=False).exists()
        assert Asset.objects.filter(parent__parent__isnull=False).exists()  # three levels
        assert Asset.objects.filter(status=AssetStatus.PENDING).exists()
        statuses = set(ServiceRequest.objects.values_list("status", flat=True))
        assert statuses == set(RequestStatus.values)
        assert ServiceRequest.objects.filter(breached=True).exists()
        assert ServiceRequest.objects.filter(rated_at__isnull=False).exists()
        for seeder in registered_seeders():  # idempotent
            seeder.run()
        assert ServiceQueue.objects.filter(name=QUEUE_NAME).count() == 1
