from django.urls import path

from crm.leads import views

app_name = "leads"

urlpatterns = [
    path("leads/", views.lead_list, name="lead_list"),
    path("leads/new/", views.lead_create, name="lead_create"),
    path("leads/duplicates/check/", views.lead_duplicate_check, name="lead_duplicate_check"),
    path("leads/<int:lead_id>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:lead_id>/edit/", views.lead_edit, name="lead_edit"),
    path("leads/<int:lead_id>/disqualify/", views.lead_disqualify, name="lead_disqualify"),
    path("leads/<int:lead_id>/assign/", views.lead_assign, name="lead_assign"),
    path("leads/<int:lead_id>/convert/", views.lead_convert, name="lead_convert"),
    path("leads/rules/", views.rules, name="rules"),
    path("leads/rules/scoring/new/", views.scoring_rule_edit, name="scoring_rule_create"),
    path("leads/rules/scoring/<int:rule_id>/", views.scoring_rule_edit, name="scoring_rule_edit"),
    path("leads/rules/assignment/new/", views.assignment_rule_edit,
         name="assignment_rule_create"),
    path("leads/rules/assignment/<int:rule_id>/", views.assignment_rule_edit,
         name="assignment_rule_edit"),
    path("leads/rules/<str:kind>/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("leads/rules/rescore/", views.leads_rescore, name="rescore"),
    path("campaigns/", views.campaign_list, name="campaign_list"),
    path("campaigns/new/", views.campaign_edit, name="campaign_create"),
    path("campaigns/<int:campaign_id>/", views.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:campaign_id>/edit/", views.campaign_edit, name="campaign_edit"),
    path("campaigns/<int:campaign_id>/cards/", views.campaign_quick_entry,
         name="campaign_quick_entry"),
]
