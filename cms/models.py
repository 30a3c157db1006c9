"""The tenant's public site: Wagtail pages edited by the tenant's staff at /cms/, and the
portal's branding (a Wagtail site setting)."""

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import ContentBlocks
from cms.search import cjk_index_text

hex_colour = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Enter a colour as #RRGGBB."))


@register_setting(icon="image")
class BrandingSettings(BaseSiteSetting):
    """Logo, colours, contact details and footer of the portal (pages and member area)."""

    company_name = models.CharField(_("company name"), max_length=200, blank=True,
                                    help_text=_("Shown beside the logo; empty: the site name."))
    logo = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("logo"),
    )
    primary_colour = models.CharField(_("primary colour"), max_length=7, default="#1d4ed8",
                                      validators=[hex_colour])
    accent_colour = models.CharField(_("accent colour"), max_length=7, default="#0f766e",
                                     validators=[hex_colour])
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    address = models.TextField(_("address"), blank=True)
    footer_text = models.TextField(_("footer text"), blank=True)

    panels = [
        FieldPanel("company_name"),
        FieldPanel("logo"),
        MultiFieldPanel([FieldPanel("primary_colour"), FieldPanel("accent_colour")],
                        heading=_("Colours")),
        MultiFieldPanel([FieldPanel("contact_email"), FieldPanel("contact_phone"),
                         FieldPanel("address")], heading=_("Contact details")),
        FieldPanel("footer_text"),
    ]

    class Meta:
        verbose_name = _("portal branding")


class HomePage(Page):
    template = "cms/home_page.html"

    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class ContentPage(Page):
    template = "cms/content_page.html"
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]

    class Meta:
        verbose_name = _("content page")


class KnowledgeBaseIndexPage(Page):
    """The knowledge base: its categories, and search over its articles (``?q=``)."""

    template = "cms/kb_index_page.html"
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.KnowledgeBaseCategoryPage"]

    class Meta:
        verbose_name = _("knowledge base")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cms.selectors import kb_categories, kb_search

        context = super().get_context(request, *args, **kwargs)
        query = (request.GET.get("q") or "").strip()[:200]
        context["query"] = query
        context["results"] = kb_search(query=query, within=self) if query else None
        context["categories"] = kb_categories(within=self)
        return context


class KnowledgeBaseCategoryPage(Page):
    template = "cms/kb_category_page.html"
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.KnowledgeBaseIndexPage"]
    subpage_types = ["cms.KnowledgeBaseArticlePage"]

    class Meta:
        verbose_name = _("knowledge base category")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from cms.selectors import kb_articles

        context = super().get_context(request, *args, **kwargs)
        context["articles"] = kb_articles(category=self)
        return context


class KnowledgeBaseArticlePage(Page):
    template = "cms/kb_article_page.html"
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = RichTextField(_("body"))

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["cms.KnowledgeBaseCategoryPage"]
    subpage_types: list[str] = []
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("body"),
        # Chinese words are found by their characters' bigrams (cms.search).
        index.SearchField("cjk_terms"),
        index.FilterField("path"),
    ]

    class Meta:
        verbose_name = _("knowledge base article")

    def cjk_terms(self) -> str:
        return cjk_index_text(" ".join([self.title, self.summary, strip_tags(self.body or "")]))


class InquiryPage(Page):
    """The contact page: renders the inquiry form (portal.inquiries) under its intro."""

    template = "cms/inquiry_page.html"
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    subpage_types: list[str] = []
    max_count = 1

    class Meta:
        verbose_name = _("inquiry page")

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        from portal.inquiries.views import inquiry_form_response

        return inquiry_form_response(
            request, template=self.get_template(request),
            context=self.get_context(request, *args, **kwargs),
        )


# The member area's quote builder (portal): a product id in the query preselects the line.
QUOTE_BUILDER_PATH = "/portal/quotes/new/"
CATALOG_PAGE_SIZE = 24


class ProductCatalogPage(RoutablePageMixin, Page):
    """The CRM's catalog on the public site: active products (optionally one family), each
    with a detail page at ``<catalog>/<product id>/``. Prices as the tenant allows: a
    signed-in member sees their account's price (the pricing service), other visitors the
    list price only when the portal settings make list prices public. Links to the quote
    builder and to the inquiry page with the product filled in."""

    template = "cms/product_catalog_page.html"
    intro = RichTextField(_("introduction"), blank=True)
    family = models.CharField(
        _("product family"), max_length=100, blank=True,
        help_text=_("Only products of this family; empty: the whole catalog."))

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("family")]
    parent_page_types = ["cms.HomePage", "cms.ContentPage"]
    subpage_types: list[str] = []

    class Meta:
        verbose_name = _("product catalog page")

    def _catalog_context(self, request: HttpRequest) -> dict[str, Any]:
        from cms.selectors import catalog_viewer, inquiry_page_url

        viewer = catalog_viewer(request)
        return {"catalog_viewer": viewer, "inquiry_url": inquiry_page_url(request),
                "quote_builder_url": QUOTE_BUILDER_PATH if viewer.is_member else ""}

    @path("")
    def product_list_view(self, request: HttpRequest) -> HttpResponse:
        from django.core.paginator import Paginator

        from cms.selectors import catalog_prices
        from crm.catalog.selectors import product_public_families, product_public_list

        query = (request.GET.get("q") or "").strip()[:100]
        families = [] if self.family else product_public_families()
        family = self.family or (request.GET.get("family") or "").strip()[:100]
        if family and not self.family and family not in families:
            family = ""
        page_number = request.GET.get("page") or 1
        products = Paginator(product_public_list(family=family, search=query),
                             CATALOG_PAGE_SIZE).get_page(page_number)
        context = self._catalog_context(request)
        rows = list(products.object_list)
        prices = catalog_prices(products=rows, viewer=context["catalog_viewer"])
        page_url = self.get_url(request) or ""
        return self.render(request, context_overrides={
            **context, "products": products,
            "rows": [(product, prices.get(product.pk),
                      page_url + self.reverse_subpage("product_detail_view", args=[product.pk]))
                     for product in rows],
            "families": families, "family": family, "query": query,
        })

    def serve_preview(self, request: HttpRequest, mode_name: str) -> HttpResponse:
        """The editor's preview shows the list as visitors will (not the bare template)."""
        return self.product_list_view(request)

    @path("<int:product_id>/")
    def product_detail_view(self, request: HttpRequest, product_id: int) -> HttpResponse:
        from cms.selectors import catalog_prices
        from crm.catalog.selectors import product_public_get

        product = product_public_get(product_id=product_id)
        if self.family and product.family != self.family:
            raise Http404
        context = self._catalog_context(request)
        price = catalog_prices(products=[product], viewer=context["catalog_viewer"]).get(
            product.pk)
        return self.render(request, template="cms/product_detail_page.html",
                           context_overrides={**context, "product": product, "price": price,
                                              "product_interest": str(product)})
