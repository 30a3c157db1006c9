"""Demo webhook: one endpoint to a receiver on this machine, turned off (so seeding and
clicking around send nothing until someone starts a receiver and turns it on). Idempotent."""

from crm.webhooks.models import WebhookEndpoint
from crm.webhooks.services import endpoint_create, endpoint_update
from tenants.demo import demo_seeder

DEMO_URL = "http://127.0.0.1:9000/crm-events"


@demo_seeder(name="webhooks", order=90)
def seed_webhooks() -> None:
    if WebhookEndpoint.objects.filter(url=DEMO_URL).exists():
        return
    created = endpoint_create(
        actor=None, url=DEMO_URL, events=["account.created", "opportunity.won"],
        description="Demo receiver: run `python -m http.server 9000`, then turn this on",
    )
    endpoint_update(endpoint=created.endpoint, actor=None, is_active=False)
