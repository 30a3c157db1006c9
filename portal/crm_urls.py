"""/crm/portal/: the staff pages of the portal (invitations, registrations)."""

from django.urls import path

from portal.views import staff

app_name = "portal_staff"

urlpatterns = [
    path("contacts/<int:pk>/invite/", staff.contact_invite, name="contact_invite"),
    path("registrations/", staff.registration_list_view, name="registration_list"),
    path("registrations/<int:pk>/", staff.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/reject/", staff.registration_reject,
         name="registration_reject"),
]
