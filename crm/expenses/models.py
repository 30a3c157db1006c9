"""Expense requests: what a member of staff spent (amount, currency, category, date,
related account or opportunity, receipt), approved through the one approval trail
(crm.core.approvals) by authority limits, then reimbursed. Rules live in
crm.expenses.services; reads in crm.expenses.selectors."""

from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.core.storage import protected_storage

MONEY = {"max_digits": 16, "decimal_places": 4}


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    REIMBURSED = "reimbursed", _("Reimbursed")


class ExpenseCategory(models.TextChoices):
    TRAVEL = "travel", _("Travel")
    LODGING = "lodging", _("Lodging")
    MEALS = "meals", _("Meals")
    ENTERTAINMENT = "entertainment", _("Customer entertainment")
    TRANSPORT = "transport", _("Local transport")
    SAMPLES = "samples", _("Samples and gifts")
    EVENTS = "events", _("Events and trade shows")
    OTHER = "other", _("Other")


def _receipt_path(expense: "Expense", filename: str) -> str:
    import uuid

    # A random folder per file: even the storage path is not guessable.
    return f"receipts/{uuid.uuid4().hex}/{filename}"


class Expense(models.Model):
    number = models.CharField(_("number"), max_length=30, unique=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                              related_name="expenses", verbose_name=_("spent by"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("author"))
    status = models.CharField(_("status"), max_length=12, choices=ExpenseStatus.choices,
                              default=ExpenseStatus.DRAFT, db_index=True)
    amount = models.DecimalField(_("amount"), **MONEY,
                                 validators=[MinValueValidator(Decimal("0.0001"))])
    currency = models.CharField(_("currency"), max_length=3)
    category = models.CharField(_("category"), max_length=20, choices=ExpenseCategory.choices)
    spent_on = models.DateField(_("date"))
    account = models.ForeignKey("crm_accounts.Account", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="expenses",
                                verbose_name=_("account"))
    opportunity = models.ForeignKey("crm_sales.Opportunity", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="expenses",
                                    verbose_name=_("opportunity"))
    description = models.TextField(_("description"), blank=True)
    receipt = models.FileField(_("receipt"), upload_to=_receipt_path, storage=protected_storage,
                               max_length=300, blank=True)
    receipt_name = models.CharField(_("receipt file name"), max_length=200, blank=True)
    receipt_content_type = models.CharField(max_length=100, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reimbursed_at = models.DateTimeField(_("reimbursed"), null=True, blank=True)
    reimbursed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+",
                                      verbose_name=_("reimbursed by"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The approval trail (crm.core.approvals writes it); here so lists can prefetch it.
    approvals = GenericRelation("crm_core.Approval", related_query_name="expense")

    class Meta:
        ordering = ["-spent_on", "-pk"]
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0),
                                   name="expenses_expense_amount_positive"),
        ]
        indexes = [
            models.Index(fields=["owner", "-spent_on"]),
            models.Index(fields=["opportunity", "status"]),
        ]

    def __str__(self) -> str:
        return self.number
