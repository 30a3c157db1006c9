from django.urls import path

from crm.receivables import views

app_name = "crm_receivables"

urlpatterns = [
    path("receivables/", views.aging, name="aging"),
    path("receivables/instalments/", views.instalment_list, name="instalment_list"),
    path("receivables/settings/", views.receivables_settings, name="settings"),
    path("receivables/orders/<int:order_id>/", views.order_receivables,
         name="order_receivables"),
    path("receivables/orders/<int:order_id>/schedule/", views.schedule_edit,
         name="schedule_edit"),
    path("receivables/orders/<int:order_id>/schedule/split/", views.schedule_split,
         name="schedule_split"),
    path("receivables/orders/<int:order_id>/payments/", views.payment_add,
         name="payment_add"),
]
