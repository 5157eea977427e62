from django.urls import path

from onewindow.foresight import views

app_name = "foresight"

urlpatterns = [
    path("staff/foresight/", views.model_page, name="model"),
]
