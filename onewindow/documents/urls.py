from django.urls import path

from onewindow.documents import views

app_name = "documents"
urlpatterns = [
    path("staff/cases/<str:number>/notices/<str:kind>.pdf", views.staff_notice, name="staff-notice"),
    path("my/cases/<str:number>/notices/<str:kind>.pdf", views.my_notice, name="my-notice"),
]
