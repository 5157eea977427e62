from django.apps import AppConfig


class TradingConfig(AppConfig):
    name = "onewindow.trading"
    verbose_name = "公共资源交易"
