"""Celery tasks of crm.quotes: thin adapters over the services, safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from crm.quotes.models import Quote
from crm.quotes.pdf import quote_language, render_quote_pdf
from crm.quotes.services import quotes_expire


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def expire_quotes() -> dict[str, int]:
    """Daily, per tenant (the tenant travels with the task): quotes past their validity
    date expire. Idempotent."""
    return {"expired": quotes_expire()}


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5, acks_late=True)
def email_quote(quote_id: int) -> bool:
    """E-mail the quote's PDF to its contact (queued after the quote was sent)."""
    quote = (Quote.objects.select_related("account", "contact")
             .prefetch_related("lines__product").filter(pk=quote_id).first())
    if quote is None or quote.contact is None or not quote.contact.email:
        return False
    company = str(getattr(getattr(connection, "tenant", None), "name", "") or "")
    with translation.override(quote_language(quote)):
        subject = _("Quote %(number)s from %(company)s") % {
            "number": quote.display_number, "company": company}
        body = _("Please find our quote %(number)s attached.") % {
            "number": quote.display_number}
    message = EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL,
                           to=[quote.contact.email])
    message.attach(f"{quote.number}-rev{quote.revision}.pdf", render_quote_pdf(quote),
                   "application/pdf")
    message.send()
    return True
