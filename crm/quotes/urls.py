from django.urls import path

from crm.quotes import views

app_name = "crm_quotes"

urlpatterns = [
    path("quotes/", views.quote_list, name="quote_list"),
    path("quotes/new/", views.quote_create, name="quote_create"),
    path("quotes/totals/", views.quote_totals, name="quote_totals"),
    path("quotes/approvals/", views.approval_inbox, name="approval_inbox"),
    path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", views.quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/pdf/", views.quote_pdf, name="quote_pdf"),
    path("quotes/<int:pk>/submit/", views.quote_submit, name="quote_submit"),
    path("quotes/<int:pk>/approve/", views.quote_approve, name="quote_approve"),
    path("quotes/<int:pk>/reject/", views.quote_reject, name="quote_reject"),
    path("quotes/<int:pk>/send/", views.quote_send, name="quote_send"),
    path("quotes/<int:pk>/accept/", views.quote_accept, name="quote_accept"),
    path("quotes/<int:pk>/revise/", views.quote_revise, name="quote_revise"),
    path("settings/quotes/", views.quote_settings, name="quote_settings"),
]
