from django.apps import AppConfig


class LicensesConfig(AppConfig):
    name = "onewindow.licenses"
    verbose_name = "电子证照"

    def ready(self):
        from onewindow.cases import services as cases
        from onewindow.licenses.queries import shared_found

        # 证照共享 at intake: cases asks, licenses answers (decision 14).
        cases.find_shared_with(shared_found)
