"""API tokens: only a SHA-256 hash of the secret is stored, with a short visible prefix so
people can tell their tokens apart."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TokenScope(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class TokenAudience(models.TextChoices):
    """Which API a token opens. Each API's authentication class accepts only its own
    audience, so a portal member's token is not a credential on the staff API at all."""

    STAFF = "staff", _("Staff API")
    PORTAL = "portal", _("Portal member API")


class ApiToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="crm_api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16)  # shown, never enough to sign in
    key_hash = models.CharField(max_length=64, unique=True)  # sha256 hex of the whole secret
    scope = models.CharField(_("scope"), max_length=12, choices=TokenScope.choices,
                             default=TokenScope.READ_WRITE)
    audience = models.CharField(_("API"), max_length=10, choices=TokenAudience.choices,
                                default=TokenAudience.STAFF)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "revoked_at"])]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
