"""Comments on a request: public ones the customer reads in the portal and gets by e-mail
(queued after commit), internal ones for staff only. The first public reply by staff stops
the first-response clock. A comment may bring files (checked before anything is written)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.service import clocks
from crm.service.members import is_member, member_may_see_request
from crm.service.models import ServiceComment, ServiceRequest
from crm.service.services.attachments import attach_uploads, uploads_check
from crm.service.services.requests import customer_reply_resumes
from tenants.users.models import User
from tenants.users.permissions import Capability, can

MAX_BODY = 20_000


def _queue_customer_email(comment_id: int) -> None:
    from crm.service.tasks import email_public_comment

    try:
        email_public_comment.delay(comment_id)
    except Exception:  # broker down: the comment is saved and shown in the portal
        import logging

        logging.getLogger(__name__).warning("Could not queue the comment e-mail %s",
                                            comment_id)


@transaction.atomic
def service_comment_add(*, request: ServiceRequest, actor: User, body: str,
                        public: bool = False, uploads: Sequence[UploadedFile] = (),
                        now: datetime | None = None) -> ServiceComment:
    """Add a comment, with ``uploads`` attached to the request. Members' comments are always
    public (and put a request waiting on them back in progress); staff choose. A public
    staff comment is e-mailed to the customer after commit (crm.service.tasks decides who:
    the contact, or the portal members of the request who want it)."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Write a comment.")})
    if len(body) > MAX_BODY:
        raise ValidationError({"body": _("The comment is too long.")})
    member = is_member(actor)
    if member:
        if not member_may_see_request(actor, request_id=request.pk,
                                      account_id=request.account_id):
            raise PermissionDenied(_("You may not comment on this request."))
        public = True
    elif not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not comment on requests."))
    uploads_check(uploads)
    locked = (ServiceRequest.objects.select_for_update(of=("self",))
              .select_related("account", "asset", "sla_policy", "contact").get(pk=request.pk))
    comment = ServiceComment.objects.create(request=locked, author=actor, by_staff=not member,
                                            public=public, body=body, created_at=now)
    attach_uploads(request=locked, actor=actor, uploads=uploads)
    if member:
        customer_reply_resumes(locked, actor=actor, now=now)
    elif public:
        # Only the first one counts; the clock function ignores later replies.
        clocks.clock_first_response(locked, now, now=now)
        transaction.on_commit(lambda: _queue_customer_email(comment.pk))
    return comment
