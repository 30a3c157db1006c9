"""Protected files: served only through a view that checks who may see the record a file
belongs to, never from a guessable path.

- Each file-bearing model registers a *kind* with an accessor ``get_for(viewer, object_id)``
  that returns the FieldFile if the viewer may see the owning record and raises Http404
  otherwise (the same answer for "missing" and "not yours"): ``register_protected_file``.
- ``/files/<kind>/<id>/`` (``crm:file`` is not needed: the URL is built by ``file_url``)
  answers the file with ``FileResponse`` as a download, from the tenant's protected storage
  (``crm.core.storage``), which is outside MEDIA_ROOT and has no URL of its own.
- Attachments (``crm.core.models.Attachment``) are the first kind: a file on any record
  whose app registered an accessor with ``register_attachable``.
"""

import os
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.views.decorators.http import require_GET

from crm.core.models import Attachment
from tenants.users.models import User

FileAccessor = Callable[[User, int], FieldFile]
RecordAccessor = Callable[[User, int], models.Model]


@dataclass(frozen=True)
class ProtectedFileKind:
    kind: str
    get_for: FileAccessor


_KINDS: dict[str, ProtectedFileKind] = {}
_ATTACHABLE: dict[str, RecordAccessor] = {}


def register_protected_file(*, kind: str, get_for: FileAccessor) -> None:
    """Declare a file-bearing model: ``get_for(viewer, object_id)`` returns the file or
    raises Http404 when the viewer may not see the record."""
    _KINDS[kind] = ProtectedFileKind(kind=kind, get_for=get_for)


def register_attachable(*, model: type[models.Model], get_for: RecordAccessor) -> None:
    """Let files be attached to ``model``; ``get_for(viewer, record_id)`` is the record's
    visibility accessor (``*_get_for`` from its selectors), raising Http404."""
    _ATTACHABLE[model._meta.label_lower] = get_for


def protected_file_get_for(*, viewer: User, kind: str, object_id: int | str) -> FieldFile:
    """The file of that kind and id if ``viewer`` may see its record; Http404 otherwise."""
    registered = _KINDS.get(kind)
    try:
        pk = int(object_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if registered is None or pk < 1 or not viewer.is_authenticated:
        raise Http404
    field_file = registered.get_for(viewer, pk)
    if not field_file:
        raise Http404
    return field_file


def file_url(*, kind: str, object_id: int) -> str:
    return reverse("protected-file", kwargs={"kind": kind, "object_id": object_id})


def attachment_get_for(*, viewer: User, attachment_id: int) -> Attachment:
    """The attachment if ``viewer`` may see the record it is attached to (Http404 else)."""
    attachment = (Attachment.objects.select_related("content_type")
                  .filter(pk=attachment_id).first())
    if attachment is None:
        raise Http404
    record_get_for = _ATTACHABLE.get(
        f"{attachment.content_type.app_label}.{attachment.content_type.model}"
    )
    if record_get_for is None:
        raise Http404
    record_get_for(viewer, attachment.object_id)  # raises Http404 for "not yours"
    return attachment


@transaction.atomic
def attachment_add(*, record: models.Model, upload: UploadedFile, actor: User) -> Attachment:
    """Attach ``upload`` to ``record`` (whose app registered it as attachable), checking that
    ``actor`` may see the record."""
    label = record._meta.label_lower
    if label not in _ATTACHABLE:
        raise ValueError(f"{label} does not take attachments (register_attachable).")
    _ATTACHABLE[label](actor, record.pk)
    name = os.path.basename(upload.name or "file")[:200] or "file"
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(record), object_id=record.pk,
        name=name, uploaded_by=actor,
    )
    attachment.file.save(name, upload, save=False)
    attachment.save()
    return attachment


def _attachment_file(viewer: User, attachment_id: int) -> FieldFile:
    return attachment_get_for(viewer=viewer, attachment_id=attachment_id).file


register_protected_file(kind="attachment", get_for=_attachment_file)


@require_GET
@login_required
def protected_file_download(request: HttpRequest, kind: str, object_id: int) -> FileResponse:
    field_file = protected_file_get_for(viewer=request.user, kind=kind, object_id=object_id)
    return protected_file_response(field_file)


def protected_file_response(field_file: FieldFile, *, filename: str | None = None
                            ) -> FileResponse:
    """The file as a download (never rendered inline: nosniff, a sandboxing CSP), for a
    view that already checked the viewer may see its record; Http404 when the stored name
    points outside the tenant's storage or the file is gone."""
    storage_root = os.path.realpath(field_file.storage.location)
    try:
        path = os.path.realpath(field_file.path)
    except Exception as error:  # SuspiciousFileOperation, or a storage without paths
        raise Http404 from error
    # Within this tenant's storage only, whatever the stored name says.
    if os.path.commonpath([storage_root, path]) != storage_root or not os.path.isfile(path):
        raise Http404
    response = FileResponse(open(path, "rb"), as_attachment=True,  # noqa: SIM115
                            filename=filename or os.path.basename(field_file.name))
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


__all__ = [
    "attachment_add",
    "attachment_get_for",
    "file_url",
    "protected_file_download",
    "protected_file_get_for",
    "protected_file_response",
    "register_attachable",
    "register_protected_file",
    "sniff_content_type",
    "upload_check",
]


# --- what an upload really is ---------------------------------------------------------

TEXT_TYPES = frozenset({"text/plain"})

# The WHATWG MIME-sniffing standard's HTML and XML signatures (section 7.1, "identifying a
# resource with an unknown MIME type"): after leading whitespace, a browser that sniffs
# treats text starting like this as a page. Such "text" is markup, not plain text.
_MARKUP_START = re.compile(
    rb"[\t\n\x0c\r ]*(?:<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style"
    rb"|title|b|body|br|p)[ >]|<!--|<\?xml|<svg[\s>])", re.IGNORECASE)


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The upload's type read from its bytes (never from its name or the browser's claim):
    a known binary signature (``filetype``), else ``text/html`` for text a browser would
    sniff as markup (HTML, XML, SVG), else ``text/plain`` for UTF-8 text without NUL bytes,
    else None."""
    import filetype

    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if b"\x00" in head:
        return None
    if _MARKUP_START.match(head.removeprefix(b"\xef\xbb\xbf")):
        return "text/html"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the 8 KiB window is still text.
        if error.start < len(head) - 4:
            return None
    return "text/plain"


def upload_check(upload: UploadedFile, *, allowed: frozenset[str], max_bytes: int) -> str:
    """Refuse an upload above ``max_bytes`` or whose content is not one of ``allowed``;
    answer its sniffed type."""
    from django.core.exceptions import ValidationError
    from django.template.defaultfilters import filesizeformat
    from django.utils.translation import gettext as _

    if upload.size is None or upload.size > max_bytes:
        raise ValidationError({"file": _("The file is larger than %(limit)s.")
                               % {"limit": filesizeformat(max_bytes)}})
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = sniff_content_type(upload)
    if content_type is None or content_type not in allowed:
        raise ValidationError({"file": _("This kind of file is not accepted.")})
    return content_type
