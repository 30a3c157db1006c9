"""POST /billing/stripe/webhook/ on the public host: verify, store once, answer fast.
Processing happens in Celery (billing.tasks.process_stripe_event)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from billing.services.webhooks import WebhookRejectedError, stripe_event_record, stripe_event_verify


@csrf_exempt  # authenticated by Stripe's signature instead
@require_POST
def stripe_webhook(request: HttpRequest) -> JsonResponse:
    try:
        event = stripe_event_verify(
            payload=request.body, signature=request.headers.get("Stripe-Signature", "")
        )
    except WebhookRejectedError as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    record, created = stripe_event_record(event=event)
    return JsonResponse({"received": True, "duplicate": not created, "id": record.event_id})
