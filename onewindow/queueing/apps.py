from django.apps import AppConfig


class QueueingConfig(AppConfig):
    name = "onewindow.queueing"
    verbose_name = "排队叫号与预约"
