from django.apps import AppConfig


class MarketConfig(AppConfig):
    name = "onewindow.market"
    verbose_name = "中介超市"
