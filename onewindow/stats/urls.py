from django.urls import path

from onewindow.stats import views

app_name = "stats"
urlpatterns = [
    path("staff/stats/", views.dashboard_page, name="dashboard"),
    path("staff/stats/report.pdf", views.report, name="report"),
    path("staff/stats/<str:table>.xlsx", views.export, name="export"),
    path("figures/", views.public_page, name="public"),
    path("figures/satisfaction/", views.public_satisfaction, name="public_satisfaction"),
]
