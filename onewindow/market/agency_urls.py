from django.urls import path

from onewindow.market import agency_views as views

app_name = "market_agencies"
urlpatterns = [
    path("market/agencies/", views.directory, name="directory"),
    path("market/agencies/<str:ref>/", views.detail, name="detail"),
    path("my/market/agency/", views.workbench, name="workbench"),
    path("my/market/agency/<str:action>/", views.my_action, name="my-action"),
    path("staff/market/agencies/", views.admission, name="admission"),
    path("staff/market/agencies/<str:ref>/<str:action>/", views.manage_action, name="manage-action"),
]
