from django.apps import AppConfig


class ForesightConfig(AppConfig):
    name = "onewindow.foresight"
    verbose_name = "风险预判与承诺时限建议"
