"""The trading's pages (public board and project pages, bidder, expert, owner and trading-center
workbenches): each view module adds its paths here."""

app_name = "trading"
urlpatterns = []
