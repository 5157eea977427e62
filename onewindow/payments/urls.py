from django.urls import path

from onewindow.payments import views

app_name = "payments"
urlpatterns = [
    path("staff/payments/", views.notices, name="notices"),
    path("staff/payments/reconciliation/", views.reconciliation, name="reconciliation"),
    path("staff/payments/cases/<str:number>/notice/", views.issue, name="issue"),
    path("staff/payments/<str:number>/", views.notice_page, name="notice"),
    path("staff/payments/<str:number>/<str:action>/", views.notice_action, name="action"),
]
