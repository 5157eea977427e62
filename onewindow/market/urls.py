from django.urls import path, re_path

from onewindow.market import views

app_name = "market"
urlpatterns = [
    path("market/", views.board, name="board"),
    path("market/purchases/<str:number>/", views.purchase_page, name="purchase"),
    # Only the selection's own steps: …/contract/ and the like belong to the contract pages.
    re_path(
        r"^market/purchases/(?P<number>[^/]+)/(?P<action>register|withdraw|choose|cancel|repost)/$",
        views.purchase_action,
        name="action",
    ),  # fmt: skip
    path("my/market/purchases/", views.owner_purchases, name="owner-purchases"),
    path("my/market/purchases/new/", views.owner_new, name="owner-new"),
    path("my/market/registrations/", views.my_registrations, name="my-registrations"),
]
