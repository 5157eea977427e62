from django.apps import AppConfig


class SerialsConfig(AppConfig):
    name = "onewindow.serials"
    verbose_name = "编号序列"
