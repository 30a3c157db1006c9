"""Wagtail's user pages at /cms/users/ with the seat service: creating a user, ticking
"active" on a deactivated one, and the bulk "set active state" action need free seats, and
the workspace keeps one active administrator.

Wagtail 8 has no user form settings any more; its documented hook is a custom
``WagtailUsersAppConfig`` whose ``user_viewset`` names our viewset
(crm.staff.cms_apps.StaffWagtailUsersConfig, listed in TENANT_APPS in place of
``wagtail.users``)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from wagtail.admin import messages
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.bulk_actions.set_active_state import SetActiveStateBulkAction
from wagtail.users.views.users import UserViewSet

from billing.services.seats import SeatLimitExceededError
from crm.staff.services.seats import staff_access_check, staff_seat_check
from crm.staff.services.users import user_set_active
from tenants.users.models import Role, User, UserKind


def _check(form: Any, user: User | None, cleaned: dict[str, Any]) -> None:
    defaults = user or User(kind=UserKind.STAFF, is_active=True)
    try:
        staff_access_check(user=user, kind=defaults.kind, role=defaults.role,
                           is_active=cleaned.get("is_active", defaults.is_active))
    except ValidationError as error:
        form.add_error(None, error)


class SeatCheckedUserCreationForm(UserCreationForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check(self, None, cleaned)
        return cleaned


class SeatCheckedUserEditForm(UserEditForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        _check(self, self.instance, cleaned)  # the instance still holds the stored values
        return cleaned


class StaffUserViewSet(UserViewSet):
    def get_form_class(self, for_update: bool = False) -> type:
        return SeatCheckedUserEditForm if for_update else SeatCheckedUserCreationForm


class SeatCheckedSetActiveStateBulkAction(SetActiveStateBulkAction):
    """Wagtail's bulk action, refused as a whole when the seats do not suffice (or when it
    would leave no active administrator); otherwise each change goes through the service."""

    def prepare_action(self, objects: list[User], objects_without_access: Any
                       ) -> HttpResponse | None:
        mark_as_active = self.cleaned_form.cleaned_data["mark_as_active"]
        try:
            if mark_as_active:
                newly = [user for user in objects
                         if user.kind == UserKind.STAFF and not user.is_active]
                staff_seat_check(adding=len(newly))
            else:
                # One by one would let each leave "another" admin who is also going.
                remaining = [user for user in objects if user.is_active]
                for user in remaining:
                    staff_access_check(user=user, kind=user.kind, role=user.role,
                                       is_active=False)
                admins = {user.pk for user in remaining if user.role == Role.ADMIN
                          and user.kind == UserKind.STAFF}
                if admins and not User.objects.filter(
                        kind=UserKind.STAFF, role=Role.ADMIN, is_active=True).exclude(
                        pk__in=admins).exists():
                    raise ValidationError(
                        _("The workspace must keep at least one active administrator."))
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return redirect(self.next_url)
        except SeatLimitExceededError as error:
            messages.error(self.request, f"{error} {error.upgrade_url}")
            return redirect(self.next_url)
        return None

    @classmethod
    def execute_action(cls, objects: list[User], mark_as_active: bool = False,
                       model: Any = None, **kwargs: Any) -> tuple[int, int]:
        actor = kwargs.get("user")
        changed = 0
        for user in objects:
            if actor is not None and user.pk == actor.pk:
                continue
            if user_set_active(user=user, is_active=mark_as_active, actor=actor):
                changed += 1
        return changed, 0

