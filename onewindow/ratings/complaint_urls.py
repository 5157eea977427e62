from django.urls import path

from onewindow.ratings import complaint_views as views

app_name = "complaints"
urlpatterns = [
    path("my/complaints/", views.my_complaints, name="my"),
    path("staff/complaints/", views.staff_list, name="list"),
    path("staff/complaints/new/", views.desk_form, name="desk"),
    path("staff/complaints/<str:number>/", views.complaint_page, name="complaint"),
    path("staff/complaints/<str:number>/<str:action>/", views.complaint_action, name="action"),
]
