"""Member API tokens: the one hashed token model (crm.api_tokens) with the portal audience,
so a member's token authenticates on /portal/api/v1/ and nowhere else."""

from django.utils import timezone
from django.utils.translation import gettext as _

from crm.api_tokens.models import TokenAudience, TokenScope
from crm.api_tokens.services import IssuedToken, api_token_create
from tenants.users.models import User


def member_api_token_create(*, member: User) -> IssuedToken:
    name = _("Portal sign-in %(date)s") % {"date": timezone.now().strftime("%Y-%m-%d %H:%M")}
    return api_token_create(user=member, name=name, scope=TokenScope.READ_WRITE, actor=member,
                            audience=TokenAudience.PORTAL)
