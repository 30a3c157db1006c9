# ruff: noqa: RUF001  (full-width CJK punctuation in the Chinese article is the point)
"""The portal's page types render in the branded layout; the default tree exists after
provisioning (English here; Chinese below); the knowledge base finds English and Chinese
articles (the two-character case PostgreSQL's parser alone misses)."""

import time

import pytest
from django.db import connection
from wagtail.models import Page

from cms.default_content import ZH
from cms.models import (
    BrandingSettings,
    ContentPage,
    HomePage,
    InquiryPage,
    KnowledgeBaseArticlePage,
    KnowledgeBaseCategoryPage,
    KnowledgeBaseIndexPage,
)
from cms.provisioning import _add, create_default_tree
from cms.search import cjk_index_text, cjk_query
from cms.selectors import kb_search
from tenants.provisioning.registry import ProvisioningContext

# A real Chinese article (service manual style): "保养" (maintenance) and "润滑" (lubrication)
# occur only inside longer runs of characters, never as separate words.
CHINESE_BODY = (
    "<p>为确保输送线长期稳定运行，建议每季度对减速电机进行一次全面检查。检查内容包括轴承温升、"
    "齿轮箱油位以及联轴器的对中情况。齿轮箱首次运行五百小时后应更换润滑油，此后每运行"
    "四千小时更换一次。定期保养可以显著降低突发停机的风险，并延长设备的使用寿命。</p>"
)


def _home() -> HomePage:
    return HomePage.objects.get()


def _kb() -> KnowledgeBaseIndexPage:
    return KnowledgeBaseIndexPage.objects.child_of(_home()).get()


def test_provisioning_builds_the_default_tree_in_english(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        home = _home()
        assert home.title == "Alpha Industries"
        kb = _kb()
        assert kb.title == "Knowledge base"
        assert kb.live
        assert kb.show_in_menus
        category = KnowledgeBaseCategoryPage.objects.child_of(kb).get()
        titles = list(KnowledgeBaseArticlePage.objects.child_of(category)
                      .values_list("title", flat=True))
        assert titles == ["Installation checklist", "Maintenance and warranty"]
        contact = InquiryPage.objects.child_of(home).get()
        assert contact.title == "Contact us"
        assert contact.url_path.endswith("/contact/")


def test_default_tree_step_writes_chinese_for_a_chinese_tenant_and_is_idempotent(
    tenant_a, in_tenant
):
    with in_tenant(tenant_a):
        for page in [*KnowledgeBaseIndexPage.objects.all(), *InquiryPage.objects.all()]:
            page.delete()
        tenant = connection.tenant
        tenant.language = "zh-hans"
        started = time.perf_counter()
        create_default_tree(ProvisioningContext(tenant=tenant))
        seconds = time.perf_counter() - started
        create_default_tree(ProvisioningContext(tenant=tenant))  # a retried run adds nothing
        tenant.language = "en"
        kb = _kb()
        assert kb.title == "知识库"
        assert KnowledgeBaseIndexPage.objects.count() == 1
        assert set(KnowledgeBaseArticlePage.objects.values_list("title", flat=True)) == {
            article["title"] for article in ZH["articles"]}
        assert InquiryPage.objects.get().title == "联系我们"
        assert "欢迎" in _home().intro
    assert seconds < 1.5, f"default tree took {seconds:.2f}s"


def test_every_page_type_renders_in_the_portal_layout(tenant_a, in_tenant, tenant_client):
    with in_tenant(tenant_a):
        branding = BrandingSettings.for_site(_home().get_site())
        branding.company_name = "Alpha Portal"
        branding.primary_colour = "#aa3300"
        branding.contact_phone = "+49 30 1234567"
        branding.footer_text = "Alpha footer line"
        branding.save()
        _add(_home(), ContentPage(title="About", slug="about", body=[
            ("paragraph", "<p>Rich <b>text</b></p>"),
            ("call_to_action", {"text": "Ask us", "link": "/contact/"}),
            ("faq", {"heading": "FAQ", "items": [
                {"question": "Do you ship?", "answer": "<p>Yes, worldwide.</p>"}]}),
            ("product_highlights", {"heading": "Products", "products": [
                {"name": "Sensor S200", "description": "Rugged", "image": None,
                 "link": "/contact/"}]}),
        ]))
    client = tenant_client(tenant_a)
    pages = {
        "/": "Welcome to our customer portal",
        "/about/": "Do you ship?",
        "/knowledge-base/": "Getting started",
        "/knowledge-base/getting-started/": "Installation checklist",
        "/knowledge-base/getting-started/installation-checklist/": "stable power supply",
        "/contact/": 'id="inquiry-form"',
    }
    for path, expected in pages.items():
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert expected in html, path
        for brand_text in ("Alpha Portal", "--brand: #aa3300", "Alpha footer line",
                           "+49 30 1234567"):
            assert brand_text in html, (path, brand_text)
    about = client.get("/about/").content.decode()
    assert 'href="/contact/">Ask us</a>' in about
    assert "Sensor S200" in about
    home = client.get("/").content.decode()
    assert 'href="/knowledge-base/"' in home
    assert 'href="/contact/"' in home


def test_branding_colours_must_be_hex_so_no_css_can_be_injected(tenant_a, in_tenant):
    from django.core.exceptions import ValidationError

    with in_tenant(tenant_a):
        branding = BrandingSettings.for_site(_home().get_site())
        branding.primary_colour = "red;}</style><script>"
        with pytest.raises(ValidationError):
            branding.full_clean()


def test_kb_pages_render_within_a_query_budget(tenant_a, tenant_client,
                                               django_assert_max_num_queries):
    client = tenant_client(tenant_a)
    client.get("/knowledge-base/")  # warm Wagtail's per-process caches
    with django_assert_max_num_queries(20):
        assert client.get("/knowledge-base/?q=installation").status_code == 200
    with django_assert_max_num_queries(20):
        assert client.get("/knowledge-base/getting-started/").status_code == 200


def test_cjk_terms_are_single_characters_and_bigrams():
    assert cjk_index_text("定期保养 ok") == "定 期 保 养 定期 期保 保养"
    assert cjk_query("保养") == "保养"
    assert cjk_query("定期保养 gearbox") == "定期 期保 保养 gearbox"
    assert cjk_query("润") == "润"


def _add_chinese_article(title: str = "减速电机的维护") -> KnowledgeBaseArticlePage:
    kb = _kb()
    category = KnowledgeBaseCategoryPage.objects.child_of(kb).first()
    return _add(category, KnowledgeBaseArticlePage(
        title=title, slug="gear-motor-zh", summary="输送线设备", body=CHINESE_BODY))


def test_kb_search_finds_a_chinese_article_by_a_two_character_word_of_its_body(
    tenant_a, in_tenant
):
    with in_tenant(tenant_a):
        article = _add_chinese_article()
        kb = _kb()
        for word in ("保养", "润滑", "轴承", "停机", "定期保养", "更换润滑油"):
            assert [page.pk for page in kb_search(query=word, within=kb)] == [article.pk], word
        # Words that do not occur find nothing (no match on a lone shared character).
        assert kb_search(query="报价", within=kb) == []
        assert kb_search(query="保温", within=kb) == []


def test_postgres_text_search_alone_misses_the_two_character_word(tenant_a, in_tenant):
    """Why cms.search exists: the parser keeps an unspaced run of Han characters whole."""
    with in_tenant(tenant_a), connection.cursor() as cursor:
        cursor.execute("SELECT to_tsvector('simple', %s) @@ plainto_tsquery('simple', %s)",
                       ["定期保养可以显著降低突发停机的风险", "保养"])
        assert cursor.fetchone()[0] is False


def test_kb_search_finds_english_articles_and_the_page_shows_them(
    tenant_a, in_tenant, tenant_client
):
    with in_tenant(tenant_a):
        kb = _kb()
        found = kb_search(query="warranty", within=kb)
        assert [page.title for page in found] == ["Maintenance and warranty"]
        assert [p.title for p in kb_search(query="serial numbers", within=kb)] == [
            "Installation checklist"]
        _add_chinese_article()
    client = tenant_client(tenant_a)
    html = client.get("/knowledge-base/", {"q": "保养"}).content.decode()
    assert "减速电机的维护" in html
    assert "1 article found" in html
    html = client.get("/knowledge-base/", {"q": "nothing-matches-this"}).content.decode()
    assert "No article matches your search." in html


def test_kb_search_does_not_show_draft_or_private_articles(tenant_a, in_tenant):
    with in_tenant(tenant_a):
        article = _add_chinese_article()
        article.unpublish()
        assert kb_search(query="保养", within=_kb()) == []


def test_kb_search_of_one_tenant_never_returns_another_tenants_article(
    tenant_a, tenant_b, in_tenant
):
    with in_tenant(tenant_a):
        _add_chinese_article("阿尔法独有的文章")
    with in_tenant(tenant_b):
        assert kb_search(query="保养", within=_kb()) == []
        assert not Page.objects.filter(title="阿尔法独有的文章").exists()


def test_demo_seeder_gives_the_knowledge_base_both_languages_and_is_idempotent(
    tenant_a, in_tenant
):
    from django.core.cache import caches

    from cms.demo import DEMO_INQUIRY_EMAIL, seed_portal
    from portal.inquiries.models import Inquiry

    caches["default"].clear()  # rate-limit counters of other tests
    with in_tenant(tenant_a):
        seed_portal()
        seed_portal()
        titles = set(KnowledgeBaseArticlePage.objects.values_list("title", flat=True))
        assert {"Installation checklist", "安装准备清单", "维护保养与保修"} <= titles
        assert KnowledgeBaseArticlePage.objects.count() == 4
        assert ContentPage.objects.filter(slug="about").count() == 1
        assert kb_search(query="保养", within=_kb())
        assert Inquiry.objects.filter(email=DEMO_INQUIRY_EMAIL).count() == 1
        branding = BrandingSettings.for_site(_home().get_site())
        assert branding.contact_email == "service@northwind-demo.example"
