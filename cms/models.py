"""The tenant's public site: Wagtail pages edited by the tenant's staff at /cms/, and the
portal's branding (a Wagtail site setting)."""

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
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
