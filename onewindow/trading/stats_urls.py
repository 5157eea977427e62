"""The trading's statistics pages."""

from django.urls import path

from onewindow.trading import stats_views as views

app_name = "trading_stats"
urlpatterns = [
    path("staff/trading/statistics/", views.statistics, name="statistics"),
]
