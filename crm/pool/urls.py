from django.urls import path

from crm.pool import views

app_name = "pool"

urlpatterns = [
    path("pool/", views.pool_list, name="pool_list"),
    path("pool/<int:pool_id>/", views.pool_detail, name="pool_detail"),
    path("pool/accounts/<int:account_id>/", views.account_history, name="account_history"),
    path("pool/accounts/<int:account_id>/claim/", views.account_claim, name="account_claim"),
    path("pool/accounts/<int:account_id>/return/", views.account_return,
         name="account_return"),
    path("pool/accounts/<int:account_id>/assign/", views.account_assign,
         name="account_assign"),
    path("settings/pools/", views.pool_settings, name="pool_settings"),
    path("settings/pools/new/", views.pool_edit, name="pool_create"),
    path("settings/pools/<int:pool_id>/", views.pool_edit, name="pool_edit"),
    path("settings/transfer/", views.transfer, name="transfer"),
]
