"""Call-to-action links in CMS pages are relative paths or http(s) URLs, never scripts."""

import pytest
from django.core.exceptions import ValidationError

from cms.models import ContentBlocks


def _clean_call_to_action(link: str):
    block = ContentBlocks().child_blocks["call_to_action"]
    return block.clean(block.to_python({"text": "Go", "link": link}))


@pytest.mark.parametrize("link", [
    "javascript:alert(1)", "JavaScript:alert(document.cookie)", " javascript:alert(1)",
    "java\tscript:alert(1)", "java\nscript:alert(1)", "\x01javascript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "vbscript:msgbox(1)",
    "//evil.example/", "/\\evil.example", "https:evil", "ftp://files.example/x",
    "mailto:x@example.com",
])
def test_call_to_action_refuses_links_that_are_not_paths_or_http(link):
    with pytest.raises(ValidationError):
        _clean_call_to_action(link)


@pytest.mark.parametrize("link", [
    "/portal/", "/portal/requests/?status=open", "#contact", "?page=2", "portal/",
    "https://example.com/offer", "http://example.com",
])
def test_call_to_action_accepts_paths_and_http_urls(link):
    assert _clean_call_to_action(link)["link"] == link


def test_a_page_with_a_javascript_link_does_not_validate():
    """The whole StreamField refuses the value, so Wagtail's editor shows the error."""
    stream = ContentBlocks()
    value = stream.to_python([{"type": "call_to_action",
                               "value": {"text": "Go", "link": "javascript:alert(1)"}}])
    with pytest.raises(ValidationError):
        stream.clean(value)
