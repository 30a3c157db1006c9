# ruff: noqa: RUF001  (full-width CJK punctuation is the point)
"""The quote PDF: number, a Chinese line and the total in the extracted text, the CJK font
embedded, the quote's language, the workspace's name and address."""

import io
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from crm.quotes.pdf import quote_font, render_quote_pdf
from crm.quotes.selectors import quote_get_for
from crm.quotes.services import quote_settings_update
from crm.workspace.formats import active_formats
from tests.crm.quotes.factories import line, make_quote

D = Decimal


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _embedded_fonts(pdf: bytes) -> list[str]:
    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor and "/FontFile2" in descriptor.get_object():
                    found.append(str(font["/BaseFont"]))
    return found


def test_the_pdf_shows_number_chinese_lines_and_total_with_embedded_fonts(world, tenant_a):
    quote_settings_update(actor=world["admin"], validity_days=30, default_terms="",
                          document_address="上海市浦东新区 88 号")
    quote = make_quote(world, language="zh-hans", terms="付款条件：30 天", lines=[
        line(world["sensor"], 3, description="工业传感器 S200（防爆型）"),
        line(description="现场安装服务", quantity=1, unit_price=D("800"), tax_rate=D(6))])
    pdf = render_quote_pdf(quote_get_for(world["rep"], quote.pk))
    assert pdf.startswith(b"%PDF")
    text = _text(pdf)
    assert quote.number in text
    assert "工业传感器 S200（防爆型）" in text
    assert "现场安装服务" in text
    assert active_formats().money(quote.total, "CNY") in text
    with translation.override("zh-hans"):
        assert gettext("Quote") in text
        assert gettext("Total") == "合计"
    assert "合计" in text  # the quote's language, whatever the reader's
    assert "上海市浦东新区" in text
    assert tenant_a.tenant.name in text
    _font, embedded = quote_font()
    assert embedded
    assert _embedded_fonts(pdf)


def test_an_english_quote_is_rendered_in_english(world):
    quote = make_quote(world, language="en")
    text = _text(render_quote_pdf(quote_get_for(world["rep"], quote.pk)))
    assert "Quote" in text
    assert "Subtotal" in text
    assert "合计" not in text
