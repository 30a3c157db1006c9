from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from crm.staff.admin_forms import StaffSeatUserChangeForm, StaffSeatUserCreationForm
from tenants.users.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # Both go through the one seat service: adding staff, re-activating or making a portal
    # member staff needs a free seat; the last active administrator stays.
    add_form = StaffSeatUserCreationForm
    form = StaffSeatUserChangeForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "kind", "role", "is_active"]
    list_filter = ["kind", "role", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "phone", "language")}),
        (_("Access"), {"fields": ("kind", "role", "manager", "is_active", "is_staff",
                                  "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "role", "password1", "password2")}),
    )
