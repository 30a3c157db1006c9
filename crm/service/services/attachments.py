"""Files on a service request (photos of the fault, logs, a signed report): checked by
content and size, stored in the tenant's protected storage by crm.core.files, served only
to people who may see the request (the attachable registered in crm.service.apps)."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from crm.core.files import attachment_add, upload_check
from crm.core.models import Attachment
from crm.service.members import is_member
from crm.service.models import ServiceRequest
from tenants.users.models import User
from tenants.users.permissions import Capability, can

ALLOWED_TYPES = frozenset({
    "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "application/pdf",
    "application/zip", "text/plain", "video/mp4",
})
# Files one request, or one reply, may bring at once.
MAX_FILES_AT_ONCE = 10


def max_attachment_bytes() -> int:
    return int(getattr(settings, "SERVICE_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def uploads_check(uploads: Sequence[UploadedFile]) -> None:
    """Refuse the whole batch (before anything is written) when there are too many files or
    one of them is too large, empty, or not of an accepted kind by its content."""
    if len(uploads) > MAX_FILES_AT_ONCE:
        raise ValidationError({"files": _("Attach at most %(count)s files at once.")
                               % {"count": MAX_FILES_AT_ONCE}})
    for upload in uploads:
        try:
            upload_check(upload, allowed=ALLOWED_TYPES, max_bytes=max_attachment_bytes())
        except ValidationError as error:
            name = upload.name or "file"
            raise ValidationError({"files": [f"{name}: {message}"
                                             for message in error.messages]}) from error


def attach_uploads(*, request: ServiceRequest, actor: User,
                   uploads: Sequence[UploadedFile]) -> list[Attachment]:
    """Attach already checked ``uploads`` (``uploads_check``) inside the caller's
    transaction."""
    return [attachment_add(record=request, upload=upload, actor=actor) for upload in uploads]


@transaction.atomic
def service_request_attachment_add(*, request: ServiceRequest, actor: User,
                                   upload: UploadedFile) -> Attachment:
    """Attach ``upload`` to ``request`` (staff who may edit, or the customer's member)."""
    if not is_member(actor) and not can(actor, Capability.EDIT_RECORDS):
        raise PermissionDenied(_("You may not add files to requests."))
    upload_check(upload, allowed=ALLOWED_TYPES, max_bytes=max_attachment_bytes())
    # attachment_add checks, through the registered accessor, that actor may see it.
    return attachment_add(record=request, upload=upload, actor=actor)
