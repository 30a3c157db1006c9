"""Reads of the portal site: knowledge base lists and search."""

from django.db.models import QuerySet
from wagtail.models import Page

from cms.models import KnowledgeBaseArticlePage, KnowledgeBaseCategoryPage
from cms.search import cjk_query


def kb_categories(*, within: Page) -> QuerySet[KnowledgeBaseCategoryPage]:
    """Live categories under ``within`` (public pages: visible to everyone on the host)."""
    return (KnowledgeBaseCategoryPage.objects.child_of(within).live().public()
            .order_by("path"))


def kb_articles(*, category: Page) -> QuerySet[KnowledgeBaseArticlePage]:
    return (KnowledgeBaseArticlePage.objects.child_of(category).live().public()
            .order_by("path"))


def kb_search(*, query: str, within: Page) -> list[KnowledgeBaseArticlePage]:
    """Live, public articles under ``within`` matching every word of ``query``; a Chinese
    word is matched by its character bigrams (cms.search), so ``保养`` finds ``定期保养``."""
    terms = cjk_query(query)
    if not terms:
        return []
    articles = (KnowledgeBaseArticlePage.objects.live().public().descendant_of(within))
    return list(articles.search(terms, operator="and")[:50])
