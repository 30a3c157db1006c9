"""The tenant's public site: Wagtail pages edited by the tenant's staff at /cms/."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Page

from cms.blocks import SafeLinkBlock


class ContentBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    image = ImageChooserBlock(label=_("Image"))
    call_to_action = blocks.StructBlock(
        [
            ("text", blocks.CharBlock(label=_("Text"))),
            ("link", SafeLinkBlock(
                label=_("Link"),
                help_text=_("A page address, e.g. /portal/, or a full http(s) address"))),
        ],
        label=_("Call to action"),
    )


class HomePage(Page):
    template = "cms/home_page.html"

    intro = RichTextField(_("introduction"), blank=True)
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    max_count = 1
    parent_page_types = ["wagtailcore.Page"]

    class Meta:
        verbose_name = _("home page")


class ContentPage(Page):
    template = "cms/content_page.html"
    body = StreamField(ContentBlocks(), blank=True, use_json_field=True)

    content_panels = [*Page.content_panels, FieldPanel("body")]

    class Meta:
        verbose_name = _("content page")
