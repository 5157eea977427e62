from django.urls import path

from onewindow.catalog import views

app_name = "catalog"
urlpatterns = [
    path("items/", views.items_index, name="items"),
    path("items/<str:code>/", views.item_guide, name="item"),
    path("items/<str:code>/checklist.pdf", views.checklist_pdf, name="checklist"),
    path("departments/<str:code>/", views.department_page, name="department"),
    path("media/catalog/<path:path>", views.public_file, name="public-file"),
    path("bundles/<str:code>/", views.bundle_page, name="bundle"),
    path("guide/", views.guide_search, name="guide"),
    path("staff/catalog/", views.staff_catalog, name="staff"),
    path("staff/catalog/questions/", views.staff_questions, name="questions"),
    path("staff/catalog/questions/<int:pk>/handled/", views.staff_question_handled, name="question-handled"),
    path("staff/catalog/<str:code>/draft/", views.staff_start_draft, name="start-draft"),
    path("staff/catalog/<str:code>/v<int:number>/<str:action>/", views.staff_catalog_action, name="action"),
]
