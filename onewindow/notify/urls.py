from django.urls import path

from onewindow.notify import views

app_name = "notify"
urlpatterns = [
    path("staff/messages/", views.messages_page, name="messages"),
    path("staff/messages/retry/", views.retry, name="retry"),
    path("dev/sms/", views.dev_outbox, name="dev-outbox"),
]
