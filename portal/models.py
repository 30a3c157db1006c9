"""Portal members and their access: memberships on the account tree, invitations,
self-registrations, per-member notification preferences and the tenant's portal settings.

Rules live in portal.services (writes) and portal.selectors (what a member may see); the
portal settings are read through portal.settings_selectors."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    CUSTOMER_ADMIN = "customer_admin", _("Customer admin")
    MEMBER = "member", _("Member")


class PortalMembership(models.Model):
    """One member's access to one account. ``contact`` is the CRM person the member is at
    that account ("their own" requests and quotes are the ones of this contact or made by
    the member). A purchasing agent for several subsidiaries has one membership each."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="portal_memberships", verbose_name=_("member"))
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.CASCADE,
                                related_name="portal_memberships", verbose_name=_("account"))
    contact = models.ForeignKey("crm_accounts.Contact", on_delete=models.CASCADE,
                                related_name="portal_memberships", verbose_name=_("contact"))
    role = models.CharField(_("portal role"), max_length=20, choices=MemberRole.choices,
                            default=MemberRole.MEMBER)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("added by"))
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("portal membership")
        verbose_name_plural = _("portal memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "account"],
                                    name="portal_membership_user_account_unique"),
        ]
        indexes = [models.Index(fields=["account", "is_active"]),
                   models.Index(fields=["contact"])]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.account_id} ({self.role})"


class PortalInvitation(models.Model):
    """A one-time link to set a password: a signature over (schema, id, nonce)
    (portal.services._links); the link dies when used, replaced (revoked) or past
    ``expires_at``."""

    membership = models.ForeignKey(PortalMembership, on_delete=models.CASCADE,
                                   related_name="invitations", verbose_name=_("membership"))
    nonce = models.CharField(max_length=64)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("invited by"))
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")

    def __str__(self) -> str:
        return f"invitation {self.pk} ({self.membership_id})"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None


class SelfRegistration(models.TextChoices):
    NOBODY = "nobody", _("Nobody (members are invited)")
    APPROVAL = "approval", _("Anyone, after staff approval")


class RegistrationStatus(models.TextChoices):
    UNVERIFIED = "unverified", _("E-mail not verified")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PortalRegistration(models.Model):
    """A visitor's request for portal access. No user exists until staff approve it and
    link it to a contact; the chosen password is kept as a hash until then."""

    email = models.EmailField(_("e-mail"), db_index=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    company = models.CharField(_("company"), max_length=200)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    password_hash = models.CharField(max_length=128, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=RegistrationStatus.choices,
                              default=RegistrationStatus.UNVERIFIED)
    # The e-mail verification link: a signature over (schema, id, nonce).
    verification_nonce = models.CharField(max_length=64)
    verification_expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("decided by"))
    rejection_reason = models.TextField(_("reason"), blank=True)
    membership = models.ForeignKey(PortalMembership, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("membership"))
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("portal registration")
        verbose_name_plural = _("portal registrations")
        indexes = [models.Index(fields=["status", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"


class NotificationKind(models.TextChoices):
    QUOTE_STATUS = "quote_status", _("A quote changes status")
    ORDER_STATUS = "order_status", _("An order changes status")
    SERVICE_REQUEST_STATUS = "service_request_status", _("A service request changes status")
    SERVICE_REQUEST_COMMENT = "service_request_comment", \
        _("A public comment on a service request")


class MemberNotificationPreference(models.Model):
    """An opt-out: a member gets every kind of e-mail unless a row says ``email=False``."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="portal_notification_preferences")
    kind = models.CharField(_("notification"), max_length=30, choices=NotificationKind.choices)
    email = models.BooleanField(_("e-mail"), default=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "kind"],
                                               name="portal_notification_pref_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}={self.email}"


class PortalSettings(models.Model):
    """The tenant's portal rules: one row (pk=1), read through
    ``portal.settings_selectors.portal_settings()``, changed by tenant admins."""

    self_registration = models.CharField(
        _("who may register"), max_length=10, choices=SelfRegistration.choices,
        default=SelfRegistration.NOBODY)
    admins_see_branches = models.BooleanField(
        _("customer admins see branch accounts"), default=False,
        help_text=_("A customer admin of a head office also sees the quotes, orders, assets "
                    "and service requests of its branch accounts (any depth)."))
    list_prices_public = models.BooleanField(
        _("list prices are public"), default=False,
        help_text=_("Show catalog list prices to visitors who are not signed in."))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("portal settings")
        verbose_name_plural = _("portal settings")
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="portal_settings_singleton")]

    def __str__(self) -> str:
        return str(_("Portal settings"))
