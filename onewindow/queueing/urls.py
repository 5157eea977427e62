from django.urls import path

from onewindow.queueing import appointment_views, views

app_name = "queueing"
urlpatterns = [
    path("queue/<str:hall_code>/kiosk/", views.kiosk, name="kiosk"),
    path("queue/<str:hall_code>/ticket/<str:number>/", views.ticket_page, name="ticket"),
    path("queue/<str:hall_code>/display/", views.display, name="display"),
    path("queue/<str:hall_code>/display/state/", views.display_state, name="display-state"),
    path("queue/<str:hall_code>/appointments/", appointment_views.appointments_page, name="appointments"),
    path("my/appointments/", appointment_views.my_appointments, name="my-appointments"),
    path("staff/queue/", views.console, name="console"),
    path("staff/queue-figures/", views.figures_page, name="figures"),
    path("staff/queue/<str:action>/", views.console_action, name="console-action"),
]
