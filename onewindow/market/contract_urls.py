from django.urls import path

from onewindow.market import contract_views as views

app_name = "market_contracts"
urlpatterns = [
    path("market/purchases/<str:number>/contract/", views.contract, name="contract"),
    path(
        "market/purchases/<str:number>/contract/<str:action>/", views.contract_action, name="contract-action"
    ),
    path("market/grades/", views.grade_report, name="grades"),
    path("market/grades/<int:year>/appeal/", views.appeal, name="appeal"),
    path("staff/market/grades/", views.grade_staff, name="grades-staff"),
    path("staff/market/grades/<str:action>/", views.grade_staff_action, name="grades-staff-action"),
]
