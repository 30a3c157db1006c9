"""Provisioning step: the tenant's Wagtail site answers on its host, titled with its name."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import HomePage
from tenants.provisioning.registry import ProvisioningContext, provisioning_step


@provisioning_step(name="cms_site", label=_("Setting up your portal site"), order=20)
def configure_site(context: ProvisioningContext) -> None:
    tenant = context.tenant
    home = HomePage.objects.first()
    if home is None:  # the cms data migration always creates one; guard for safety
        raise RuntimeError("The template schema has no HomePage; run migrate_schemas.")
    if home.title != tenant.name:
        # A direct update, not a revision + publish: the template's page has no revisions
        # and this keeps a warm-pool sign-up fast. The tenant's own edits go through /cms/.
        HomePage.objects.filter(pk=home.pk).update(
            title=tenant.name, draft_title=tenant.name, seo_title=""
        )
        home.refresh_from_db()
    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = tenant.primary_host
    site.port = 80
    site.site_name = tenant.name
    site.root_page = home
    site.save()
