import re

from django.core import mail

LINK = re.compile(r"https?://(?P<host>[^/\s]+)(?P<path>/crm/invitations/(?P<token>[^/\s]+)/)")


def invitation_links(to: str) -> list[re.Match[str]]:
    """Invitation links e-mailed to ``to``, oldest first."""
    return [match for message in mail.outbox if to in message.to
            for match in [LINK.search(message.body)] if match]


def last_link(to: str) -> re.Match[str]:
    links = invitation_links(to)
    assert links, f"no invitation e-mail to {to}"
    return links[-1]
