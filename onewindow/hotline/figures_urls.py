from django.urls import path

from onewindow.hotline import figures_views as views

app_name = "hotline_figures"
urlpatterns = [
    path("staff/hotline/kb/", views.kb_page, name="kb"),
    path("staff/hotline/report/", views.report_page, name="report"),
    path("staff/hotline/report.xlsx", views.report_export, name="report-export"),
]
