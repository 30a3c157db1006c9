from django.urls import path

from crm.activities import views

app_name = "activities"

urlpatterns = [
    path("today/", views.today, name="today"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/feed/", views.sales_log_feed, name="feed"),
    path("activities/check-in/", views.check_in, name="check_in"),
    path("activities/nearby/", views.nearby, name="nearby"),
    path("activities/account-options/", views.account_options, name="account_options"),
    path("activities/new/<str:kind>/", views.activity_create, name="activity_create"),
    path("activities/<int:activity_id>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:activity_id>/complete/", views.activity_complete,
         name="activity_complete"),
    path("activities/<int:activity_id>/comments/", views.activity_comment,
         name="activity_comment"),
    path("activities/<int:activity_id>/like/", views.activity_like, name="activity_like"),
    path("activities/timeline/<str:target_type>/<int:target_id>/", views.timeline,
         name="timeline"),
    path("activities/accounts/<int:account_id>/location/", views.account_location,
         name="account_location"),
]
