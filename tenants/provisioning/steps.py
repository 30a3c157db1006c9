"""The foundation's own provisioning steps."""

from django.utils.translation import gettext_lazy as _

from tenants.provisioning.registry import ProvisioningContext, provisioning_step
from tenants.users.models import Role, User, UserKind


@provisioning_step(name="admin_user", label=_("Creating your administrator"), order=10)
def create_first_admin(context: ProvisioningContext) -> None:
    user, created = User.objects.get_or_create(
        email=context.admin_email.lower(),
        defaults={
            "kind": UserKind.STAFF,
            "role": Role.ADMIN,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    if created:
        if context.admin_password_hash:
            user.password = context.admin_password_hash
        else:
            user.set_unusable_password()
        user.save(update_fields=["password"])
    context.facts["admin_user_id"] = user.pk
