"""The trading's statistics pages (stats_views.py adds its paths here)."""

app_name = "trading_stats"
urlpatterns = []
