from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "onewindow.stats"
    verbose_name = "统计分析"
