from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "onewindow.payments"
    verbose_name = "统一收费"
