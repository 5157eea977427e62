from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    verbose_name = "消息"

    def ready(self):
        # Cases sits above notify and cannot import it: notify registers its hook with cases,
        # which calls it inside every transition's transaction (the outbox's guarantee).
        from onewindow.cases import services as cases
        from onewindow.notify.case_events import on_case_transition

        cases.on_transition(on_case_transition)
