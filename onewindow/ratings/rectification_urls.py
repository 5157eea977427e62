from django.urls import path

from onewindow.ratings import rectification_views as views

app_name = "rectifications"
urlpatterns = [
    path("staff/ratings/", views.rectification_list, name="list"),
    path("staff/ratings/appeals/", views.appeal_list, name="appeals"),
    path("staff/ratings/<int:rating_id>/", views.rectification_page, name="rectification"),
    path("staff/ratings/<int:rating_id>/<str:action>/", views.rectification_action, name="action"),
]
