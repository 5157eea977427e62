from django.urls import path

from onewindow.supervision import views

app_name = "supervision"

urlpatterns = [
    path("staff/supervision/", views.overdue, name="overdue"),
    path("staff/supervision/violations/", views.violation_list, name="violations"),
    path("staff/supervision/violations/<int:pk>/", views.violation, name="violation"),
]
