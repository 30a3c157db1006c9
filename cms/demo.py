# ruff: noqa: RUF001  (full-width CJK punctuation in the Chinese texts is the point)
"""Demo portal: branding, the knowledge base in English *and* Chinese (the other language's
articles in a category of their own), the product catalog page, a content page with FAQ and
product highlights, and one inquiry behind a lead. Idempotent (looked up by slug and
e-mail)."""

from django.db import connection

from cms.default_content import EN, ZH, content_for
from cms.models import (
    BrandingSettings,
    ContentPage,
    HomePage,
    KnowledgeBaseArticlePage,
    KnowledgeBaseCategoryPage,
    KnowledgeBaseIndexPage,
    ProductCatalogPage,
)
from cms.provisioning import _add, catalog_page_build, create_default_tree
from tenants.demo import demo_seeder
from tenants.provisioning.registry import ProvisioningContext

DEMO_INQUIRY_EMAIL = "li.na@huadong-robotics.example"


def _second_language_category(kb: KnowledgeBaseIndexPage, language: str) -> None:
    other = EN if content_for(language) is ZH else ZH
    slug = "english" if other is EN else "zh"
    if KnowledgeBaseCategoryPage.objects.child_of(kb).filter(slug=slug).exists():
        return
    title = "English articles" if other is EN else "中文文章"
    category = _add(kb, KnowledgeBaseCategoryPage(title=title, slug=slug,
                                                  intro=other["category_intro"]))
    for article in other["articles"]:
        _add(category, KnowledgeBaseArticlePage(title=article["title"], slug=article["slug"],
                                                summary=article["summary"],
                                                body=article["body"]))


def _about_page(home: HomePage) -> None:
    if ContentPage.objects.child_of(home).filter(slug="about").exists():
        return
    _add(home, ContentPage(title="About us", slug="about", show_in_menus=True, body=[
        ("heading", "Industrial sensing since 1998"),
        ("paragraph", "<p>We design sensors, gateways and controllers for factories in China "
                      "and Europe, and we service what we sell.</p>"),
        ("product_highlights", {"heading": "Our products", "products": [
            {"name": "工业传感器 S200", "description": "Rugged sensor for harsh sites.",
             "image": None, "link": "/contact/"},
            {"name": "智能网关 G10", "description": "Connects every sensor to your network.",
             "image": None, "link": "/contact/"},
            {"name": "Gold Support", "description": "Next-day on-site service, all year.",
             "image": None, "link": "/contact/"},
        ]}),
        ("faq", {"heading": "Questions", "items": [
            {"question": "How fast do you answer an inquiry?",
             "answer": "<p>Within one working day.</p>"},
            {"question": "Do you ship to Europe?", "answer": "<p>Yes, from Hamburg.</p>"},
        ]}),
        ("call_to_action", {"text": "Ask for a quote", "link": "/contact/"}),
    ]))


@demo_seeder(name="cms_portal", order=80)
def seed_portal() -> None:
    # The seeders run inside schema_context, whose connection.tenant is a FakeTenant with
    # only the schema name: read the real row (the tenants table is on the search path).
    from django_tenants.utils import get_tenant_model

    tenant = get_tenant_model().objects.get(schema_name=connection.schema_name)
    create_default_tree(ProvisioningContext(tenant=tenant))
    home = HomePage.objects.first()
    if home is None:
        return
    kb = KnowledgeBaseIndexPage.objects.child_of(home).first()
    if kb is not None:
        _second_language_category(kb, tenant.language)
    if not ProductCatalogPage.objects.exists():  # a demo tree made before the catalog page
        catalog_page_build(home, content_for(tenant.language))
    _about_page(home)
    branding = BrandingSettings.for_site(home.get_site())
    if not branding.contact_email:
        branding.company_name = tenant.name
        branding.contact_email = "service@northwind-demo.example"
        branding.contact_phone = "+86 21 5555 0100"
        branding.address = "上海市浦东新区张江路 88 号\n88 Zhangjiang Road, Shanghai"
        branding.footer_text = "© Northwind Demo. Sensors, gateways and service."
        branding.primary_colour = "#0b5cad"
        branding.accent_colour = "#0f766e"
        branding.save()
    _demo_inquiry()


def _demo_inquiry() -> None:
    from portal.inquiries.models import Inquiry
    from portal.inquiries.services import inquiry_submit

    if Inquiry.objects.filter(email=DEMO_INQUIRY_EMAIL).exists():
        return
    inquiry_submit(
        name="李娜", company="华东机器人有限公司", email=DEMO_INQUIRY_EMAIL,
        phone="+86 21 5555 0199", product_interest="智能网关 G10",
        message="我们计划在两个工厂部署 40 台网关，请提供报价和交货期。", language="zh-hans",
        client_ip="127.0.0.1",
    )
