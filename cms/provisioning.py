"""Provisioning steps: the tenant's Wagtail site answers on its host, titled with its name,
and carries the default tree (home, knowledge base with two articles, product catalog,
contact page) in the tenant's language."""

from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site

from cms.default_content import TreeContent, content_for
from cms.models import (
    HomePage,
    InquiryPage,
    KnowledgeBaseArticlePage,
    KnowledgeBaseCategoryPage,
    KnowledgeBaseIndexPage,
    ProductCatalogPage,
)
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


def _add(parent: Page, page: Page) -> Page:
    """A live child page without a revision (fast, like the home page above); Wagtail makes
    the first revision when staff edit it. The search index entry is written on save."""
    page.live = True
    page.has_unpublished_changes = False
    return parent.add_child(instance=page)


def catalog_page_build(home: HomePage, content: TreeContent) -> Page:
    """The product catalog page (the whole CRM catalog) under ``home``; the one already
    there if there is one (a retried step, a tree rebuilt around it)."""
    existing = ProductCatalogPage.objects.child_of(home).first()
    if existing is not None:
        return existing
    return _add(home, ProductCatalogPage(title=content["catalog_title"], slug="products",
                                         intro=content["catalog_intro"], show_in_menus=True))


def default_tree_build(home: HomePage, content: TreeContent) -> None:
    """Knowledge base (one category, two articles), the product catalog and the contact page
    under ``home``."""
    kb = _add(home, KnowledgeBaseIndexPage(title=content["kb_title"], slug="knowledge-base",
                                           intro=content["kb_intro"], show_in_menus=True))
    category = _add(kb, KnowledgeBaseCategoryPage(
        title=content["category_title"], slug="getting-started",
        intro=content["category_intro"]))
    for article in content["articles"]:
        _add(category, KnowledgeBaseArticlePage(title=article["title"], slug=article["slug"],
                                                summary=article["summary"],
                                                body=article["body"]))
    catalog_page_build(home, content)
    _add(home, InquiryPage(title=content["inquiry_title"], slug="contact",
                           intro=content["inquiry_intro"], show_in_menus=True))


@provisioning_step(name="cms_default_tree", label=_("Writing your portal's first pages"),
                   order=21)
def create_default_tree(context: ProvisioningContext) -> None:
    """Idempotent: a home page that has a knowledge base already is left as it is."""
    home = HomePage.objects.first()
    if home is None or KnowledgeBaseIndexPage.objects.child_of(home).exists():
        return
    content = content_for(context.tenant.language)
    home.intro = content["home_intro"]
    home.body = [("call_to_action", {"text": content["home_cta"], "link": "/contact/"})]
    home.save(update_fields=["intro", "body"], clean=False)
    default_tree_build(home, content)
