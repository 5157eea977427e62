from django.urls import path

from onewindow.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("care/", views.care_switch, name="care"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("register/", views.register, name="register"),
    path("register/verify/", views.register_verify, name="register-verify"),
    path("after-login/", views.after_login, name="after-login"),
    path("my/", views.my, name="my"),
    path("my/data-reads/", views.my_data_reads, name="my-data-reads"),
    path("staff/", views.staff_home, name="staff-home"),
    path("staff/window/", views.take_window, name="take-window"),
    path("staff/departments/<str:code>/", views.department_staff, name="department-staff"),
]
