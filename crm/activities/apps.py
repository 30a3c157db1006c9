from django.utils.translation import gettext_lazy as _

from tenants.scopes import Scope, ScopedAppConfig


class ActivitiesConfig(ScopedAppConfig):
    name = "crm.activities"
    label = "crm_activities"
    verbose_name = _("Activities")
    tenancy_scope = Scope.TENANT

    def ready(self) -> None:
        from crm.activities import demo  # noqa: F401 - registers the demo seeder
        from crm.activities.views import account_timeline_panel, today_widget_context
        from crm.core.home import HomeWidget, register_home_widget
        from crm.core.navigation import NavItem, register_nav

        register_nav(NavItem(section=_("Work"), label=_("Today"), url_name="activities:today",
                             order=20))
        register_nav(NavItem(section=_("Work"), label=_("Activities"),
                             url_name="activities:activity_list", order=30))
        register_nav(NavItem(section=_("Work"), label=_("Sales log feed"),
                             url_name="activities:feed", order=35))
        register_nav(NavItem(section=_("Work"), label=_("Accounts nearby"),
                             url_name="activities:nearby", order=36))
        register_home_widget(HomeWidget(name="today", template="crm/activities/_today_widget.html",
                                        order=10, context=today_widget_context))
        try:
            from crm.accounts.panels import register_account_panel
        except ImportError:  # the accounts app offers no panels: nothing to add
            return
        register_account_panel("activity_timeline", "crm/activities/_account_timeline_panel.html",
                               40, account_timeline_panel)
