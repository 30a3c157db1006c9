"""Invitations of staff users and the per-role limits of a tenant. Rules live in
crm.staff.services; reads in crm.staff.selectors."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenants.users.models import Role


class Invitation(models.Model):
    """The invitation of one staff user. The user row exists from the start (inactive, so it
    takes no seat and cannot sign in); the invitation holds the seat while it is open.

    The link carries a signature over (schema, invitation id, nonce): resending draws a new
    nonce, so earlier links stop working; nothing secret is stored but the nonce, which is
    useless without the project's signing key."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_invitation",
        verbose_name=_("user"),
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("invited by"),
    )
    nonce = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.user_id} ({self.expires_at:%Y-%m-%d})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class RolePolicy(models.Model):
    """A role's limits in this tenant. Empty means unlimited."""

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, unique=True)
    discount_limit_percent = models.DecimalField(
        _("discount limit (%)"), max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Highest discount this role may give without approval; empty = unlimited."),
    )
    approval_limit_amount = models.DecimalField(
        _("approval limit"), max_digits=14, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Largest amount (in the workspace currency) this role may approve; "
                    "empty = unlimited."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role"]
        verbose_name = _("role policy")
        verbose_name_plural = _("role policies")

    def __str__(self) -> str:
        return self.get_role_display()
