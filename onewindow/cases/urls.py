from django.urls import path

from onewindow.cases import material_views, oversight_views, views

app_name = "cases"
urlpatterns = [
    path("staff/workbench/", views.workbench, name="workbench"),
    path("staff/workbench/find/", views.workbench_find, name="workbench-find"),
    path("staff/workbench/applicants/", views.workbench_register, name="workbench-register"),
    path("staff/workbench/submit/", views.workbench_submit, name="workbench-submit"),
    path("staff/inbox/", views.inbox, name="inbox"),
    path("staff/pre-review/", views.pre_review_queue, name="pre-review"),
    path("staff/commitment-checks/", oversight_views.commitment_checks_due, name="commitment-checks"),
    path("staff/veto-filings/", oversight_views.veto_filings_list, name="veto-filings"),
    path("staff/cases/<str:number>/", views.case_page, name="case"),
    path("staff/cases/<str:number>/<str:action>/", views.case_action, name="action"),
    path("cases/<str:number>/materials/<int:pk>/", material_views.material_page, name="material"),
    path("cases/<str:number>/materials/<int:pk>/file/", material_views.material_file, name="material-file"),
    path(
        "cases/<str:number>/materials/<int:pk>/earlier/<int:earlier>/",
        material_views.material_file,
        name="material-earlier-file",
    ),
    path(
        "cases/<str:number>/materials/<int:pk>/pages/<int:page>.png",
        material_views.material_page_image,
        name="material-page",
    ),
    path("my/cases/<str:number>/supplement/", material_views.my_case_supplement, name="my-case-supplement"),
    path("my/cases/", views.my_cases, name="my-cases"),
    path("my/cases/<str:number>/", views.my_case, name="my-case"),
    path("progress/", views.progress, name="progress"),
    path("items/<str:code>/apply/", views.apply, name="apply"),
]
