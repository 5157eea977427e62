from django.apps import AppConfig


class HotlineConfig(AppConfig):
    name = "onewindow.hotline"
    verbose_name = "12345热线"
