"""StreamField blocks with validated values (Wagtail's editor shows the errors)."""

import unicodedata
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock

SAFE_LINK_SCHEMES = ("http", "https")


def validate_safe_link(value: str) -> None:
    """A link is a relative reference (``/portal/``, ``#contact``, ``?page=2``) or an
    absolute http(s) URL: never ``javascript:``, ``data:``, ``vbscript:`` or any other scheme.

    Whitespace and control characters are refused outright: browsers drop them inside a
    scheme (``java\\tscript:``), which would slip past a check of the scheme alone; and a
    backslash is read as a slash by browsers (``/\\evil.example`` is another host).
    """
    if any(char.isspace() or unicodedata.category(char) in ("Cc", "Cf") for char in value):
        raise ValidationError(_("A link cannot contain spaces or control characters."),
                              code="unsafe_link")
    if "\\" in value:
        raise ValidationError(_("A link cannot contain a backslash."), code="unsafe_link")
    try:
        parts = urlsplit(value)
    except ValueError as error:
        raise ValidationError(_("Enter a valid link."), code="invalid_link") from error
    if parts.scheme:
        if parts.scheme.lower() not in SAFE_LINK_SCHEMES or not parts.netloc:
            raise ValidationError(
                _("Use a page address such as /portal/ or a full http(s) address."),
                code="unsafe_link",
            )
    elif parts.netloc or value.startswith("//"):
        # A scheme-relative "//host/path" leaves the site: spell the scheme out.
        raise ValidationError(_("Write an address on another site with https://."),
                              code="unsafe_link")


class SafeLinkBlock(blocks.CharBlock):
    """A link for buttons and calls to action: a relative path or an http(s) URL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [validate_safe_link])
        super().__init__(*args, **kwargs)

    def clean(self, value: str) -> str:
        return super().clean((value or "").strip())

    class Meta:
        icon = "link"


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Text"))
    link = SafeLinkBlock(label=_("Link"),
                         help_text=_("A page address, e.g. /portal/, or a full http(s) address"))

    class Meta:
        icon = "pick"
        label = _("Call to action")


class FaqItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"))
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "italic", "link", "ol",
                                                               "ul"])


class FaqBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False)
    items = blocks.ListBlock(FaqItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Frequently asked questions")


class ProductHighlightBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Product"))
    description = blocks.TextBlock(label=_("Description"), required=False)
    image = ImageChooserBlock(label=_("Image"), required=False)
    link = SafeLinkBlock(label=_("Link"), required=False)


class ProductHighlightsBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False)
    products = blocks.ListBlock(ProductHighlightBlock(), label=_("Products"), min_num=1,
                                max_num=6)

    class Meta:
        icon = "list-ul"
        label = _("Product highlights")


class ContentBlocks(blocks.StreamBlock):
    heading = blocks.CharBlock(form_classname="title", label=_("Heading"))
    paragraph = blocks.RichTextBlock(label=_("Paragraph"))
    image = ImageChooserBlock(label=_("Image"))
    call_to_action = CallToActionBlock()
    faq = FaqBlock()
    product_highlights = ProductHighlightsBlock()
