# ruff: noqa: RUF001  (full-width CJK punctuation in the Chinese texts is the point)
"""The default portal tree a new tenant starts with, in English and Simplified Chinese.

Written out here (not gettext) because it is the tenant's own content from the first minute:
staff edit it at /cms/, and it must not change when the UI catalogue does."""

from typing import TypedDict


class Article(TypedDict):
    slug: str
    title: str
    summary: str
    body: str


class TreeContent(TypedDict):
    home_intro: str
    home_cta: str
    kb_title: str
    kb_intro: str
    category_title: str
    category_intro: str
    articles: list[Article]
    catalog_title: str
    catalog_intro: str
    inquiry_title: str
    inquiry_intro: str


EN: TreeContent = {
    "home_intro": "<p>Welcome to our customer portal: answers in the knowledge base, and a "
                  "direct line to our team.</p>",
    "home_cta": "Send us an inquiry",
    "kb_title": "Knowledge base",
    "kb_intro": "<p>Guides and answers to common questions.</p>",
    "category_title": "Getting started",
    "category_intro": "<p>First steps with our products and services.</p>",
    "articles": [
        {
            "slug": "installation-checklist",
            "title": "Installation checklist",
            "summary": "What to prepare before our engineers arrive on site.",
            "body": "<p>Before installation, make sure the site has a stable power supply, "
                    "network access for the gateway and a free mounting position. Keep the "
                    "delivery note and the serial numbers at hand: our engineers register "
                    "every device as an asset under your account.</p>",
        },
        {
            "slug": "maintenance-and-warranty",
            "title": "Maintenance and warranty",
            "summary": "How regular maintenance keeps your warranty valid.",
            "body": "<p>Schedule maintenance every twelve months. Warranty claims are handled "
                    "as service requests in the portal: choose the asset, describe the "
                    "problem and attach photos. Our service team answers within the response "
                    "time of your service contract.</p>",
        },
    ],
    "catalog_title": "Products",
    "catalog_intro": "<p>Our products and services. Customers who sign in see their own "
                     "prices and can put together a quote request.</p>",
    "inquiry_title": "Contact us",
    "inquiry_intro": "<p>Tell us what you need: a quote, a demonstration or advice. We reply "
                     "within one working day.</p>",
}

ZH: TreeContent = {
    "home_intro": "<p>欢迎访问我们的客户门户：在知识库中查找答案，或直接联系我们的团队。</p>",
    "home_cta": "向我们咨询",
    "kb_title": "知识库",
    "kb_intro": "<p>使用指南和常见问题解答。</p>",
    "category_title": "入门指南",
    "category_intro": "<p>了解我们的产品和服务的第一步。</p>",
    "articles": [
        {
            "slug": "installation-checklist",
            "title": "安装准备清单",
            "summary": "工程师上门之前需要准备的事项。",
            "body": "<p>安装之前，请确认现场供电稳定，网关可以接入网络，并预留安装位置。"
                    "请准备好送货单和设备序列号：我们的工程师会把每台设备登记为贵公司名下的资产。</p>",
        },
        {
            "slug": "maintenance-and-warranty",
            "title": "维护保养与保修",
            "summary": "定期维护保养，保修持续有效。",
            "body": "<p>请每十二个月安排一次维护保养。保修申请在门户中以服务请求的方式提交："
                    "选择设备，描述故障并上传照片。服务团队会在服务合同约定的响应时间内答复。</p>",
        },
    ],
    "catalog_title": "产品目录",
    "catalog_intro": "<p>我们的产品与服务。客户登录后可查看专属价格，并在线提交报价申请。</p>",
    "inquiry_title": "联系我们",
    "inquiry_intro": "<p>告诉我们您的需求：报价、演示或咨询。我们会在一个工作日内答复。</p>",
}


def content_for(language: str) -> TreeContent:
    return ZH if (language or "").lower().startswith("zh") else EN
