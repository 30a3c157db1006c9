"""/operator/ on the public host."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenants.operator.access import OperatorLoginView
from tenants.operator.views import actions, overview, plans, provisioning, tenants

app_name = "operator"

urlpatterns = [
    path("", overview.overview, name="overview"),
    path("login/", OperatorLoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="operator:login"), name="logout"),
    path("", include("tenants.two_factor.urls_operator")),
    path("tenants/", tenants.tenant_list, name="tenants"),
    path("tenants/<int:pk>/", tenants.tenant_detail, name="tenant_detail"),
    path("tenants/<int:pk>/suspend/", actions.suspend, name="tenant_suspend"),
    path("tenants/<int:pk>/reactivate/", actions.reactivate, name="tenant_reactivate"),
    path("tenants/<int:pk>/grace/", actions.extend_grace, name="tenant_extend_grace"),
    path("tenants/<int:pk>/plan/", actions.change_plan, name="tenant_change_plan"),
    path("tenants/<int:pk>/domains/", actions.add_domain, name="tenant_add_domain"),
    path("plans/", plans.plan_list, name="plans"),
    path("plans/new/", plans.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plans.plan_update, name="plan_update"),
    path("provisioning/", provisioning.job_list, name="provisioning"),
    path("provisioning/<int:pk>/retry/", provisioning.job_retry, name="provisioning_retry"),
]
