from django.urls import path

from onewindow.assessment import views

app_name = "assessment"
urlpatterns = [
    path("staff/assessment/", views.ranking_page, name="ranking"),
    path("staff/assessment/ranking.xlsx", views.export, name="export"),
    path("staff/assessment/mine/", views.own_page, name="mine"),
    path("assessment/", views.public_page, name="public"),
]
