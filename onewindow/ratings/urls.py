from django.urls import path

from onewindow.ratings import views

app_name = "ratings"
urlpatterns = [
    path("rate/pair/<str:key>/", views.pair, name="pair"),
    path("rate/window/<int:window_id>/", views.window_page, name="window"),
    path("rate/window/<int:window_id>/photo/", views.clerk_photo, name="clerk-photo"),
    path("rate/case/<str:number>/", views.rate_case, name="case"),
    path("rate/case/<str:number>/card/", views.case_card, name="case-card"),
    path("rate/case/<str:number>/follow-up/<int:rating_id>/", views.rate_follow_up, name="follow-up"),
    path("rate/qr/<str:number>/", views.rate_qr, name="qr"),
    path("rate/qr/<str:number>/code/", views.qr_code, name="qr-code"),
    path("rate/t/<str:token>/", views.rate_token, name="token"),
]
