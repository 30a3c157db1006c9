"""The shared pool: pools per team or region, their rules, which pool each account belongs
to, and every change of hands with its reason. Rules live in crm.pool.services; reads in
crm.pool.selectors.

An account belongs to one pool (PoolMembership) whether a rep holds it or not; it *sits in*
the pool while its owner is empty. The pool's rule decides how many of its accounts one rep
may hold and when a held account goes back."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Pool(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    team = models.ForeignKey(
        "crm_core.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="pools",
        verbose_name=_("team"),
    )
    region = models.CharField(_("region"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("pool")
        verbose_name_plural = _("pools")

    def __str__(self) -> str:
        return self.name


class PoolRule(models.Model):
    """A pool's rules; an empty number switches that rule off."""

    pool = models.OneToOneField(Pool, on_delete=models.CASCADE, related_name="rule")
    max_accounts_per_rep = models.PositiveIntegerField(
        _("most accounts a rep may hold"), null=True, blank=True, default=50,
        validators=[MinValueValidator(1), MaxValueValidator(100000)],
    )
    reclaim_after_days_without_activity = models.PositiveIntegerField(
        _("reclaim after days without follow-up activity"), null=True, blank=True, default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    reclaim_after_days_without_won_deal = models.PositiveIntegerField(
        _("reclaim after days without a won deal"), null=True, blank=True, default=180,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    warn_days_before = models.PositiveIntegerField(
        _("warn the owner days before"), default=3, validators=[MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("pool rule")
        verbose_name_plural = _("pool rules")

    def __str__(self) -> str:
        return f"{self.pool}"


class PoolMembership(models.Model):
    account = models.OneToOneField(
        "crm_accounts.Account", on_delete=models.CASCADE, related_name="pool_membership",
        primary_key=True,
    )
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    # Start of the current holder's time with the account (claim/assign/transfer); the
    # reclaim clocks never start before it.
    owner_since = models.DateTimeField(null=True, blank=True)
    # The reclaim deadline the holder was last warned about: one warning per deadline, so a
    # new activity (a later deadline) earns a new warning and a rerun sends nothing.
    warned_deadline = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["pool", "owner_since"])]
        verbose_name = _("pool membership")
        verbose_name_plural = _("pool memberships")

    def __str__(self) -> str:
        return f"{self.account_id} in {self.pool_id}"


class OwnershipChangeKind(models.TextChoices):
    CLAIM = "claim", _("Claimed")
    RETURN = "return", _("Returned")
    ASSIGN = "assign", _("Assigned")
    RECLAIM = "reclaim", _("Reclaimed")
    TRANSFER = "transfer", _("Transferred")


class OwnershipChange(models.Model):
    """Every change of hands, with its reason: the next rep sees why the last one let go."""

    account = models.ForeignKey(
        "crm_accounts.Account", on_delete=models.CASCADE, related_name="ownership_changes",
    )
    pool = models.ForeignKey(
        Pool, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("to"),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OwnershipChangeKind.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["account", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="return") | ~Q(reason=""), name="ownership_return_has_reason"
            ),
        ]
        verbose_name = _("ownership change")
        verbose_name_plural = _("ownership changes")

    def __str__(self) -> str:
        return f"{self.kind} {self.account_id}"
