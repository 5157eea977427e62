from django.urls import path

from onewindow.projects import views

app_name = "projects"
urlpatterns = [
    path("projects/board/", views.board, name="board"),
    path("projects/", views.project_list, name="list"),
    path("projects/<str:code>/", views.project_page, name="project"),
    path("projects/<str:code>/<str:action>/", views.project_action, name="action"),
    path("my/projects/new/", views.register, name="register"),
    path("staff/projects/opinions/", views.inbox, name="inbox"),
    path("staff/projects/silent-consents/<str:code>/", views.silent_consents, name="silent-consents"),
]
