from django.urls import path

from crm.catalog import views

app_name = "crm_catalog"

urlpatterns = [
    path("catalog/", views.product_list, name="product_list"),
    path("catalog/products/new/", views.product_create, name="product_create"),
    path("catalog/products/<int:pk>/", views.product_detail, name="product_detail"),
    path("catalog/products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("catalog/price-books/", views.price_book_list, name="price_book_list"),
    path("catalog/price-books/new/", views.price_book_create, name="price_book_create"),
    path("catalog/price-books/<int:pk>/", views.price_book_detail, name="price_book_detail"),
    path("catalog/price-books/<int:pk>/edit/", views.price_book_edit, name="price_book_edit"),
    path("catalog/price-books/<int:pk>/entries/", views.price_book_entry_add,
         name="price_book_entry_add"),
    path("catalog/price-books/<int:pk>/entries/<int:entry_id>/remove/",
         views.price_book_entry_remove, name="price_book_entry_remove"),
    path("catalog/price-check/", views.price_check, name="price_check"),
]
