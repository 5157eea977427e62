from django.urls import path

from onewindow.payments import online_views, views

app_name = "payments"
urlpatterns = [
    path("staff/payments/", views.notices, name="notices"),
    path("staff/payments/reconciliation/", views.reconciliation, name="reconciliation"),
    path("staff/payments/cases/<str:number>/notice/", views.issue, name="issue"),
    path("staff/payments/<str:number>/", views.notice_page, name="notice"),
    path("staff/payments/<str:number>/<str:action>/", views.notice_action, name="action"),
    path("my/payments/cases/<str:number>/", online_views.my_case_payment, name="my-case-payment"),
    path("my/payments/<str:number>/", online_views.my_payment, name="my-payment"),
    path("my/payments/<str:number>/state/", online_views.my_payment_state, name="my-payment-state"),
    path("my/payments/<str:number>/pay/", online_views.my_payment_start, name="my-payment-start"),
    path("dev/pay/<str:token>/", online_views.simulator_page, name="simulator"),
]
