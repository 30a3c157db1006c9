"""The quote PDF (ReportLab): the workspace's logo, name and address, the quote's lines and
totals, in the quote's language (English or Chinese), money in the workspace's format.

Chinese needs a font with CJK glyphs, embedded so that every reader shows it: WenQuanYi
Micro Hei (TrueType outlines, which ReportLab embeds as a subset) from the
``paperang-p2-fonts-cjk`` package on PyPI, pinned in pyproject.toml so that ``make run`` and
``make test`` install it like any dependency. Without it (a stripped image) the system's
fonts-wqy-microhei / fonts-droid-fallback are tried, and last ReportLab's built-in
STSong-Light CID font (readers substitute it; it is not embedded)."""

from __future__ import annotations

import io
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from crm.quotes.models import Quote
from crm.quotes.selectors import quote_settings_get
from crm.workspace.formats import active_formats, money_format, number_format

logger = logging.getLogger(__name__)
FONT_NAME = "QuoteCJK"
SYSTEM_FONTS = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", None),
)


def _package_font() -> tuple[str, int | None] | None:
    try:
        import paperang_p2_fonts_cjk
    except ImportError:
        return None
    path = Path(paperang_p2_fonts_cjk.__file__).parent / "fonts" / "wqy-microhei.ttc"
    return (str(path), 0) if path.exists() else None


@lru_cache(maxsize=1)
def quote_font() -> tuple[str, bool]:
    """The registered font's name and whether it is embedded (a TrueType font)."""
    candidates = [c for c in (_package_font(), *SYSTEM_FONTS) if c is not None]
    for path, index in candidates:
        if not Path(path).exists():
            continue
        try:
            if index is None:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path))
            else:
                pdfmetrics.registerFont(TTFont(FONT_NAME, path, subfontIndex=index))
        except Exception:  # a broken or CFF font file: try the next one
            logger.warning("Cannot use %s for quote PDFs", path, exc_info=True)
            continue
        return FONT_NAME, True
    logger.warning("No CJK TrueType font found: quote PDFs use STSong-Light (not embedded)")
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light", False


def quote_language(quote: Quote) -> str:
    tenant = getattr(connection, "tenant", None)
    language = quote.language or str(getattr(tenant, "language", "") or "en")
    return "zh-hans" if language.lower().startswith("zh") else "en"


def _logo(max_height: float) -> Image | None:
    from crm.workspace.selectors import workspace_settings_get

    tenant = getattr(connection, "tenant", None)
    if tenant is None:
        return None
    workspace = workspace_settings_get(tenant=tenant)
    if not workspace.logo:
        return None
    try:
        with workspace.logo.open("rb") as handle:
            data = io.BytesIO(handle.read())
        reader = ImageReader(data)
        width, height = reader.getSize()
    except Exception:  # a missing or unreadable file: the PDF goes without the logo
        logger.warning("Quote PDF: the workspace logo cannot be read", exc_info=True)
        return None
    data.seek(0)
    scale = max_height / float(height or 1)
    return Image(data, width=width * scale, height=max_height)


def render_quote_pdf(quote: Quote) -> bytes:
    """The PDF of ``quote`` (its lines must be loaded or loadable)."""
    font, _embedded = quote_font()
    with translation.override(quote_language(quote)):
        return _render(quote, font)


def _render(quote: Quote, font: str) -> bytes:
    formats = active_formats()
    locale = formats.number_locale

    def money(amount: Any) -> str:
        return money_format(amount, quote.currency, locale=locale)

    def number(value: Any) -> str:
        return number_format(value.normalize() if hasattr(value, "normalize") else value,
                             locale=locale)

    base = ParagraphStyle("base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    small = ParagraphStyle("small", parent=base, fontSize=8, leading=10,
                           textColor=colors.HexColor("#555555"))
    title = ParagraphStyle("title", parent=base, fontSize=18, leading=22)
    right = ParagraphStyle("right", parent=base, alignment=TA_RIGHT)
    tenant = getattr(connection, "tenant", None)
    company = str(getattr(tenant, "name", "") or "")
    address = quote_settings_get().document_address

    def text(value: str, style: ParagraphStyle = base) -> Paragraph:
        from xml.sax.saxutils import escape

        return Paragraph(escape(value).replace("\n", "<br/>"), style)

    story: list[Any] = []
    logo = _logo(16 * mm)
    header_left: list[Any] = [text(company, ParagraphStyle("co", parent=base, fontSize=12,
                                                           leading=15))]
    if address:
        header_left.append(text(address, small))
    header = Table([[header_left, logo or ""]], colWidths=[120 * mm, 50 * mm])
    header.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    story += [header, Spacer(1, 8 * mm), text(_("Quote") + " " + quote.display_number, title),
              Spacer(1, 3 * mm)]
    facts = [
        (_("Customer"), quote.account.name),
        (_("Contact"), str(quote.contact) if quote.contact_id else "—"),
        (_("Date"), formats.date(timezone.localtime(quote.created_at))),
        (_("Valid until"), formats.date(quote.valid_until) if quote.valid_until else "—"),
        (_("Currency"), quote.currency),
    ]
    facts_table = Table([[text(label, small), text(value)] for label, value in facts],
                        colWidths=[35 * mm, 135 * mm])
    facts_table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"),
                                     ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
    story += [facts_table, Spacer(1, 6 * mm)]
    rows: list[list[Any]] = [[text(h, small) for h in (
        "#", _("Description"), _("Quantity"), _("Unit price"), _("Discount"), _("Tax"),
        _("Net"))]]
    for position, line in enumerate(quote.lines.all(), start=1):
        label = line.description
        if line.product_id and line.product and line.product.sku:
            label = f"{line.product.sku} · {line.description}"
        rows.append([
            text(str(position)), text(label), text(number(line.quantity), right),
            text(money(line.unit_price), right),
            text(f"{number(line.discount_percent)} %" if line.discount_percent else "—",
                 right),
            text(f"{number(line.tax_rate)} %", right), text(money(line.line_net), right),
        ])
    lines_table = Table(rows, colWidths=[8 * mm, 62 * mm, 18 * mm, 25 * mm, 17 * mm,
                                         15 * mm, 25 * mm], repeatRows=1)
    lines_table.setStyle(TableStyle([
        ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#cccccc")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story += [lines_table, Spacer(1, 4 * mm)]
    totals: list[tuple[str, str]] = [(_("Subtotal"), money(quote.subtotal))]
    if quote.discount_percent:
        totals.append((_("Includes a quote discount of %(percent)s %%") % {
            "percent": number(quote.discount_percent)}, ""))
    totals += [(_("Tax"), money(quote.tax_total)), (_("Total"), money(quote.total))]
    totals_table = Table([[text(label, right), text(value, right)] for label, value in totals],
                         colWidths=[140 * mm, 30 * mm])
    totals_table.setStyle(TableStyle([("LINEABOVE", (0, -1), (-1, -1), 0.6, colors.black)]))
    story.append(totals_table)
    if quote.terms:
        story += [Spacer(1, 8 * mm), text(_("Terms and conditions"), small), text(quote.terms)]
    if quote.note:
        story += [Spacer(1, 4 * mm), text(quote.note)]
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=18 * mm, title=f"{_('Quote')} {quote.display_number}",
        author=company, subject=quote.account.name)
    document.build(story)
    return buffer.getvalue()
