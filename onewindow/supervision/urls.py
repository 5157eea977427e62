from django.urls import path

from onewindow.supervision import views
from onewindow.supervision.holders import OFFICER, WINDOW

app_name = "supervision"

urlpatterns = [
    path("staff/supervision/", views.overdue, name="overdue"),
    path("staff/supervision/violations/", views.violation_list, name="violations"),
    path("staff/supervision/violations/<int:pk>/", views.violation, name="violation"),
    path("staff/supervision/cards/", views.card_list, name="cards"),
    # The card of an officer or a window: one view each, given the holder (supervision.holders).
    path("staff/supervision/cards/<int:pk>/", views.holder_card, {"holder": OFFICER}, name="officer"),
    path(
        "staff/supervision/cards/<int:pk>/report.pdf",
        views.holder_report,
        {"holder": OFFICER},
        name="officer-report",
    ),
    path("staff/supervision/cards/windows/<int:pk>/", views.holder_card, {"holder": WINDOW}, name="window"),
    path(
        "staff/supervision/cards/windows/<int:pk>/report.pdf",
        views.holder_report,
        {"holder": WINDOW},
        name="window-report",
    ),
]
