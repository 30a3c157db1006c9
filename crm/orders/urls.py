from django.urls import path

from crm.orders import views

app_name = "crm_orders"

urlpatterns = [
    path("orders/", views.order_list, name="order_list"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/approvals/", views.approval_inbox, name="approval_inbox"),
    path("orders/<int:pk>/", views.order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", views.order_edit, name="order_edit"),
    path("orders/<int:pk>/submit/", views.order_submit, name="order_submit"),
    path("orders/<int:pk>/approve/", views.order_approve, name="order_approve"),
    path("orders/<int:pk>/reject/", views.order_reject, name="order_reject"),
    path("orders/<int:pk>/deliver/", views.order_deliver, name="order_deliver"),
    path("orders/<int:pk>/amend/", views.order_amend, name="order_amend"),
    path("settings/orders/", views.settings_page, name="settings"),
    path("settings/orders/steps/new/", views.step_create, name="step_create"),
    path("settings/orders/steps/<int:step_id>/", views.step_edit, name="step_edit"),
    path("settings/orders/steps/<int:step_id>/delete/", views.step_delete,
         name="step_delete"),
]
