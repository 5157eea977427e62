from django.urls import path

from onewindow.hotline import views

app_name = "hotline"
urlpatterns = [
    path("staff/hotline/", views.workbench, name="workbench"),
    path("staff/hotline/history/", views.caller_history, name="history"),
    path("staff/hotline/department/", views.department_list, name="department"),
    path("staff/hotline/orders/<str:number>/", views.order_page, name="order"),
    path("staff/hotline/orders/<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("staff/hotline/orders/<str:number>/<str:action>/", views.order_action, name="action"),
]
