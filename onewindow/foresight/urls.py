from django.urls import path

from onewindow.foresight import advisor_views, views

app_name = "foresight"

urlpatterns = [
    path("staff/foresight/", views.model_page, name="model"),
    path("staff/foresight/advisor/", advisor_views.advisor_list, name="advisor"),
    path("staff/foresight/advisor/<str:code>/", advisor_views.advisor_item, name="advisor-item"),
    path("staff/foresight/advisor/<str:code>/draft/", advisor_views.advisor_draft, name="advisor-draft"),
]
