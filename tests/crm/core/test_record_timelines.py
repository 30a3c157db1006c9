"""Every account, contact, lead and opportunity page shows its activity timeline."""

from datetime import date

from crm.accounts.services import account_create, contact_create
from crm.activities.services import activity_create
from crm.sales.services import opportunity_create


def test_contact_and_opportunity_pages_load_their_timelines(tenant_a, in_tenant, tenant_client):
    rep = tenant_a.users["rep"]
    with in_tenant(tenant_a):
        account = account_create(actor=rep, name="Timeline Trading")
        contact = contact_create(actor=rep, account=account, first_name="Mei", last_name="Chen")
        deal = opportunity_create(account=account, name="Timeline deal", amount=1000,
                                  currency=None, close_date=date(2027, 1, 31), owner=rep,
                                  actor=rep)
        activity_create(actor=rep, kind="call", subject="Intro call with Mei", target=contact)
        activity_create(actor=rep, kind="meeting", subject="Deal review", target=deal)
    client = tenant_client(tenant_a, rep)

    contact_page = client.get(f"/crm/contacts/{contact.pk}/").content.decode()
    assert f"/crm/activities/timeline/contact/{contact.pk}/" in contact_page
    deal_page = client.get(f"/crm/opportunities/{deal.pk}/").content.decode()
    assert f"/crm/activities/timeline/opportunity/{deal.pk}/" in deal_page

    contact_timeline = client.get(f"/crm/activities/timeline/contact/{contact.pk}/")
    assert "Intro call with Mei" in contact_timeline.content.decode()
    deal_timeline = client.get(f"/crm/activities/timeline/opportunity/{deal.pk}/")
    assert "Deal review" in deal_timeline.content.decode()
    assert tenant_client(tenant_a, tenant_a.users["rep2"]).get(
        f"/crm/activities/timeline/opportunity/{deal.pk}/").status_code == 404
