"""Revoke a user's API tokens whenever their password is set, on any path: the password
change and reset-confirm forms, Django admin, Wagtail's user pages, ``changepassword``.

All of them call ``set_password()`` then ``save()``; Django keeps the new raw password on
``user._password`` until ``save()`` has run ``password_validation.password_changed`` (that
is how password validators learn of changes), so a ``post_save`` receiver sees exactly the
saves that change a password. A hash upgrade on sign-in clears it first: not a change.
"""

from typing import Any

from django.db import connection
from django_tenants.utils import get_public_schema_name


def revoke_tokens_when_password_changes(sender: Any, instance: Any, created: bool,
                                        **kwargs: Any) -> None:
    if created or getattr(instance, "_password", None) is None:
        return
    # Operators live in the public schema, where API tokens do not exist.
    if getattr(connection, "schema_name", None) in (None, get_public_schema_name()):
        return
    from crm.api_tokens.services import api_tokens_revoke_for_user

    api_tokens_revoke_for_user(user=instance, actor=instance, reason="password_changed")
