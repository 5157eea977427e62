from django.urls import path

from onewindow.supervision import views

app_name = "supervision"

urlpatterns = [
    path("staff/supervision/", views.overdue, name="overdue"),
    path("staff/supervision/violations/", views.violation_list, name="violations"),
    path("staff/supervision/violations/<int:pk>/", views.violation, name="violation"),
    path("staff/supervision/cards/", views.card_list, name="cards"),
    path("staff/supervision/cards/<int:pk>/", views.officer, name="officer"),
    path("staff/supervision/cards/<int:pk>/report.pdf", views.officer_report, name="officer-report"),
    path("staff/supervision/cards/windows/<int:pk>/", views.window, name="window"),
    path("staff/supervision/cards/windows/<int:pk>/report.pdf", views.window_report, name="window-report"),
]
