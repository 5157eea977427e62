from django.urls import path

from onewindow.licenses import views

app_name = "licenses"
urlpatterns = [
    path("licenses/verify/", views.verify_form, name="verify-form"),
    path("licenses/<str:number>/verify/", views.verify, name="verify"),
    path("my/licenses/", views.my_licenses, name="my-licenses"),
    path("my/licenses/<str:number>.pdf", views.my_license_pdf, name="my-license-pdf"),
    path("staff/licenses/", views.desk, name="desk"),
    path("staff/licenses/lookup/", views.lookup, name="lookup"),
    path("staff/licenses/cases/<str:number>/", views.case_desk, name="case"),
    path("staff/licenses/cases/<str:number>/shared/", views.shared_partial, name="shared"),
    path(
        "staff/licenses/cases/<str:number>/commitment-check/", views.commitment_check, name="commitment-check"
    ),
    path("staff/licenses/cases/<str:number>/<str:action>/", views.case_action, name="case-action"),
    path("staff/licenses/<str:number>/", views.license_page, name="license"),
    path("staff/licenses/<str:number>/revoke/", views.revoke, name="revoke"),
]
