"""The Wagtail users app with our user viewset (see crm.staff.cms_users). Its own module:
INSTALLED_APPS imports it before models are ready, so it imports nothing else."""

from wagtail.users.apps import WagtailUsersAppConfig


class StaffWagtailUsersConfig(WagtailUsersAppConfig):
    user_viewset = "crm.staff.cms_users.StaffUserViewSet"
