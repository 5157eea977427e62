from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "onewindow.payments"
    verbose_name = "统一收费"

    def ready(self):
        from onewindow.cases.services import on_transition
        from onewindow.payments.services import on_case_transition

        on_transition(on_case_transition)
