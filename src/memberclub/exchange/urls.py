"""Routes of the exchange pages, mounted at /exchange/."""

from django.urls import path

from memberclub.exchange import token_views, views

app_name = "exchange"
urlpatterns = [
    path("", views.catalog_view, name="catalog"),
    path("items/<str:code>/", views.item_view, name="item"),
    path("items/<str:code>/entry/", views.entry_view, name="entry"),
    path("confirm/<str:token>/", views.confirm_view, name="confirm"),
    path("done/<str:number>/", views.done_view, name="done"),
    path("fee/", views.fee_view, name="fee"),
    path("history/", views.redemptions_view, name="redemptions"),
    path("tokens/", token_views.tokens_view, name="tokens"),
    path("tokens/<int:token_id>/revoke/", token_views.token_revoke_view, name="token_revoke"),
]
