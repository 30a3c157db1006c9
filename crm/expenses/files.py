"""Receipts are protected files: served only by crm.core.files at /files/receipt/<id>/ to
those who may see the expense request (expense_get_for)."""

from django.db.models.fields.files import FieldFile

from crm.core.files import register_protected_file
from crm.expenses.selectors import expense_get_for
from tenants.users.models import User

RECEIPT_KIND = "receipt"


def _receipt(viewer: User, expense_id: int) -> FieldFile:
    return expense_get_for(viewer=viewer, expense_id=expense_id).receipt


register_protected_file(kind=RECEIPT_KIND, get_for=_receipt)
