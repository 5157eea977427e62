"""The trading's pages (public board and project pages, bidder, expert, owner and trading-center
workbenches): each view module adds its paths here."""

from django.urls import path, re_path

from onewindow.trading import bidder_views, expert_views, staff_views, views

app_name = "trading"
urlpatterns = [
    path("trading/", views.board, name="board"),
    path("trading/projects/<str:number>/", views.project_page, name="project"),
    re_path(
        rf"^trading/projects/(?P<number>[^/]+)/(?P<action>{views.ACTION_PATTERN})/$",
        views.project_action,
        name="action",
    ),  # fmt: skip
    path("my/trading/projects/", views.owner_projects, name="owner-projects"),
    path("my/trading/bids/", bidder_views.my_bids, name="my-bids"),
    path("my/trading/expert/", expert_views.expert_home, name="expert"),
    path("staff/trading/", staff_views.workbench, name="workbench"),
    path("staff/trading/new/", staff_views.new_project, name="new"),
]
