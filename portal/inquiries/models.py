"""An inquiry as submitted (verbatim), with its reference, the lead it became and the
outbox state of its two e-mails; and the tenant's inquiry settings (edited at /cms/)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

ORIGIN = re.compile(r"https?://[a-z0-9.-]+(:[0-9]{1,5})?")


class InquiryChannel(models.TextChoices):
    FORM = "form", _("Portal form")
    API = "api", _("Embedded form (API)")


class Inquiry(models.Model):
    reference = models.CharField(_("reference"), max_length=30, unique=True)
    channel = models.CharField(_("channel"), max_length=10, choices=InquiryChannel.choices)
    # What the visitor typed, as typed (the lead holds the cleaned copy).
    name = models.CharField(_("name"), max_length=200)
    company = models.CharField(_("company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    product_interest = models.CharField(_("product interest"), max_length=200, blank=True)
    message = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=10, default="en")
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    origin = models.CharField(_("origin"), max_length=200, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="portal_inquiries", verbose_name=_("member"),
    )
    lead = models.ForeignKey(
        "crm_leads.Lead", on_delete=models.PROTECT, related_name="portal_inquiries",
        verbose_name=_("lead"),
    )
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    # Outbox: the e-mails go out after commit; whatever could not be sent stays pending and
    # the beat task (portal_inquiries.tasks.send_pending_inquiry_notifications) retries it.
    notifications_pending = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(_("acknowledgement sent"), null=True, blank=True)
    staff_notified_at = models.DateTimeField(_("staff notified"), null=True, blank=True)
    notify_attempts = models.PositiveIntegerField(default=0)
    last_notify_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        indexes = [
            models.Index(fields=["created_at"], name="inquiry_pending_idx",
                         condition=Q(notifications_pending=True)),
            models.Index(fields=["lead", "-created_at"]),
        ]

    def __str__(self) -> str:
        return self.reference


@register_setting(icon="mail")
class InquirySettings(BaseGenericSetting):
    """Spam defences and the websites allowed to embed the inquiry form (CORS)."""

    allowed_origins = models.TextField(
        _("websites that may embed the inquiry form"), blank=True,
        help_text=_("One origin a line, e.g. https://www.example.com (scheme, host and port, "
                    "no path)."),
    )
    min_seconds = models.PositiveSmallIntegerField(
        _("minimum seconds to fill in the form"), default=3,
        validators=[MaxValueValidator(120)],
    )
    per_address_per_hour = models.PositiveIntegerField(
        _("inquiries per hour from one network address"), default=20,
        validators=[MinValueValidator(1)],
    )
    per_email_per_hour = models.PositiveIntegerField(
        _("inquiries per hour from one e-mail address"), default=5,
        validators=[MinValueValidator(1)],
    )
    notify_email = models.EmailField(
        _("also notify"), blank=True,
        help_text=_("An address that receives a copy of every staff notification."),
    )

    panels = [
        FieldPanel("allowed_origins"),
        MultiFieldPanel([FieldPanel("min_seconds"), FieldPanel("per_address_per_hour"),
                         FieldPanel("per_email_per_hour")], heading=_("Spam defences")),
        FieldPanel("notify_email"),
    ]

    class Meta:
        verbose_name = _("inquiry settings")

    def clean(self) -> None:
        super().clean()
        bad = [line for line in self.origin_list() if not ORIGIN.fullmatch(line)]
        if bad:
            raise ValidationError({"allowed_origins": _(
                "Not an origin (scheme://host[:port], no path): %(origins)s")
                % {"origins": ", ".join(bad)}})

    def origin_list(self) -> list[str]:
        return [line.strip().rstrip("/").lower() for line in self.allowed_origins.splitlines()
                if line.strip()]
