from django.urls import path

from onewindow.bundles import views

app_name = "bundles"
urlpatterns = [
    path("staff/bundles/", views.staff_index, name="staff-index"),
    path("staff/bundles/<str:code>/apply/", views.window_apply, name="window-apply"),
    path("staff/bundles/<str:code>/apply/find/", views.window_find, name="window-find"),
    path("staff/bundles/<str:code>/apply/register/", views.window_register, name="window-register"),
    path("staff/bundle-applications/<str:number>/", views.staff_application, name="staff-application"),
    path("staff/bundle-applications/<str:number>/notice.pdf", views.staff_notice, name="staff-notice"),
    path("staff/bundle-applications/<str:number>/<str:action>/", views.staff_action, name="staff-action"),
    path("bundles/<str:code>/apply/", views.portal_apply, name="apply"),
    path("bundles/<str:number>/progress/", views.progress, name="progress"),
    path("my/bundle-applications/", views.my_applications, name="my-applications"),
    path("my/bundle-applications/<str:number>/", views.my_application, name="my-application"),
    path("my/bundle-applications/<str:number>/notice.pdf", views.my_notice, name="my-notice"),
]
