"""A member's saved basket: products and quantities they are putting together for a quote
request, kept server-side between visits. Not a CRM quote: staff never see a basket, it has
no number and no prices (prices are asked of the pricing service whenever it is shown, and
fixed only when the member submits it: crm.quotes.services.quote_request_create).

Rules live in portal.quote_builder.services; reads in portal.quote_builder.selectors."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class QuoteDraft(models.Model):
    # The member who saved it, for the account they were working for: only that member
    # sees it, and only while their membership of that account is active.
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                               related_name="portal_quote_drafts", verbose_name=_("member"))
    account = models.ForeignKey("crm_accounts.Account", on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("account"))
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("quote draft")
        verbose_name_plural = _("quote drafts")
        indexes = [models.Index(fields=["member", "account", "-updated_at"])]

    def __str__(self) -> str:
        return f"{self.account_id}/{self.member_id}/{self.pk}"


class QuoteDraftLine(models.Model):
    draft = models.ForeignKey(QuoteDraft, on_delete=models.CASCADE, related_name="lines",
                              verbose_name=_("draft"))
    position = models.PositiveIntegerField(_("position"), default=0)
    # A product the staff delete leaves the basket with it (a basket is not a record).
    product = models.ForeignKey("crm_catalog.Product", on_delete=models.CASCADE,
                                related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=14, decimal_places=3,
                                   validators=[MinValueValidator(0)])

    class Meta:
        ordering = ["draft", "position", "pk"]
        verbose_name = _("quote draft line")
        verbose_name_plural = _("quote draft lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0),
                                              name="portal_quote_draft_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product_id} x {self.quantity}"
